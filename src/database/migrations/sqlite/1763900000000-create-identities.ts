import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentities1763900000000 implements MigrationInterface {
  name = 'CreateIdentities1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identities (
        id TEXT NOT NULL PRIMARY KEY,
        schema_id TEXT NOT NULL,
        state TEXT NOT NULL,
        state_changed_at DATETIME NULL,
        traits TEXT NOT NULL,
        metadata_public TEXT NULL,
        metadata_admin TEXT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query(`
      CREATE TABLE identity_credentials (
        id TEXT NOT NULL PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        config TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX identity_credentials_identity_type_uq ON identity_credentials (identity_id, type)');
    await q.query(`
      CREATE TABLE identity_credential_identifiers (
        id TEXT NOT NULL PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        credential_id TEXT NOT NULL REFERENCES identity_credentials (id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        identifier TEXT NOT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX identity_credential_identifiers_type_identifier_uq ON identity_credential_identifiers (type, identifier)');
    await q.query('CREATE INDEX identity_credential_identifiers_identity_idx ON identity_credential_identifiers (identity_id)');
    await q.query('CREATE INDEX identity_credential_identifiers_credential_idx ON identity_credential_identifiers (credential_id)');
    await q.query(`
      CREATE TABLE identity_verifiable_addresses (
        id TEXT NOT NULL PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        via TEXT NOT NULL,
        value TEXT NOT NULL,
        verified BOOLEAN NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        verified_at DATETIME NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX identity_verifiable_addresses_via_value_uq ON identity_verifiable_addresses (via, value)');
    await q.query('CREATE INDEX identity_verifiable_addresses_identity_idx ON identity_verifiable_addresses (identity_id)');
    await q.query(`
      CREATE TABLE identity_recovery_addresses (
        id TEXT NOT NULL PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        via TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX identity_recovery_addresses_via_value_uq ON identity_recovery_addresses (via, value)');
    await q.query('CREATE INDEX identity_recovery_addresses_identity_idx ON identity_recovery_addresses (identity_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['identity_recovery_addresses', 'identity_verifiable_addresses', 'identity_credential_identifiers', 'identity_credentials', 'identities']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
