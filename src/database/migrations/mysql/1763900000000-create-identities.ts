import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentities1763900000000 implements MigrationInterface {
  name = 'CreateIdentities1763900000000';

  async up(q: QueryRunner): Promise<void> {
    const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
    await q.query(`
      CREATE TABLE identities (
        id CHAR(36) NOT NULL,
        schema_id VARCHAR(190) NOT NULL,
        state VARCHAR(16) NOT NULL,
        state_changed_at DATETIME(6) NULL,
        traits LONGTEXT NOT NULL,
        metadata_public LONGTEXT NULL,
        metadata_admin LONGTEXT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id)
      ) ${table}`);
    await q.query(`
      CREATE TABLE identity_credentials (
        id CHAR(36) NOT NULL,
        identity_id CHAR(36) NOT NULL,
        type VARCHAR(32) NOT NULL,
        config LONGTEXT NOT NULL,
        version INT NOT NULL DEFAULT 0,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY identity_credentials_identity_type_uq (identity_id, type),
        CONSTRAINT identity_credentials_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE
      ) ${table}`);
    await q.query(`
      CREATE TABLE identity_credential_identifiers (
        id CHAR(36) NOT NULL,
        identity_id CHAR(36) NOT NULL,
        credential_id CHAR(36) NOT NULL,
        type VARCHAR(32) NOT NULL,
        identifier VARCHAR(255) NOT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY identity_credential_identifiers_type_identifier_uq (type, identifier),
        KEY identity_credential_identifiers_identity_idx (identity_id),
        KEY identity_credential_identifiers_credential_idx (credential_id),
        CONSTRAINT identity_credential_identifiers_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE,
        CONSTRAINT identity_credential_identifiers_credential_fk FOREIGN KEY (credential_id) REFERENCES identity_credentials (id) ON DELETE CASCADE
      ) ${table}`);
    await q.query(`
      CREATE TABLE identity_verifiable_addresses (
        id CHAR(36) NOT NULL,
        identity_id CHAR(36) NOT NULL,
        via VARCHAR(16) NOT NULL,
        value VARCHAR(255) NOT NULL,
        verified TINYINT(1) NOT NULL DEFAULT 0,
        status VARCHAR(16) NOT NULL,
        verified_at DATETIME(6) NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY identity_verifiable_addresses_via_value_uq (via, value),
        KEY identity_verifiable_addresses_identity_idx (identity_id),
        CONSTRAINT identity_verifiable_addresses_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE
      ) ${table}`);
    await q.query(`
      CREATE TABLE identity_recovery_addresses (
        id CHAR(36) NOT NULL,
        identity_id CHAR(36) NOT NULL,
        via VARCHAR(16) NOT NULL,
        value VARCHAR(255) NOT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY identity_recovery_addresses_via_value_uq (via, value),
        KEY identity_recovery_addresses_identity_idx (identity_id),
        CONSTRAINT identity_recovery_addresses_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE
      ) ${table}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['identity_recovery_addresses', 'identity_verifiable_addresses', 'identity_credential_identifiers', 'identity_credentials', 'identities']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
