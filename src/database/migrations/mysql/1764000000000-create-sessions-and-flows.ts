import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessionsAndFlows1764000000000 implements MigrationInterface {
  name = 'CreateSessionsAndFlows1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
    await q.query(`
      CREATE TABLE sessions (
        id CHAR(36) NOT NULL,
        identity_id CHAR(36) NOT NULL,
        token_hash CHAR(64) NOT NULL,
        active TINYINT(1) NOT NULL,
        expires_at DATETIME(6) NOT NULL,
        authenticated_at DATETIME(6) NOT NULL,
        issued_at DATETIME(6) NOT NULL,
        aal VARCHAR(8) NOT NULL,
        authentication_methods LONGTEXT NOT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY sessions_token_hash_uq (token_hash),
        KEY sessions_identity_idx (identity_id, authenticated_at),
        CONSTRAINT sessions_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE
      ) ${table}`);
    await q.query(`
      CREATE TABLE session_devices (
        id CHAR(36) NOT NULL,
        session_id CHAR(36) NOT NULL,
        ip_address VARCHAR(64) NULL,
        user_agent VARCHAR(512) NULL,
        location VARCHAR(255) NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        KEY session_devices_session_idx (session_id),
        CONSTRAINT session_devices_session_fk FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
      ) ${table}`);
    await q.query(`
      CREATE TABLE selfservice_flows (
        id CHAR(36) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        type VARCHAR(8) NOT NULL,
        state VARCHAR(32) NOT NULL,
        identity_id CHAR(36) NULL,
        session_id CHAR(36) NULL,
        request_url TEXT NOT NULL,
        return_to TEXT NULL,
        context LONGTEXT NOT NULL,
        submit_count INT NOT NULL DEFAULT 0,
        expires_at DATETIME(6) NOT NULL,
        issued_at DATETIME(6) NOT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        KEY selfservice_flows_expires_idx (expires_at),
        KEY selfservice_flows_identity_idx (identity_id),
        CONSTRAINT selfservice_flows_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE
      ) ${table}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['selfservice_flows', 'session_devices', 'sessions']) await q.query(`DROP TABLE ${t}`);
  }
}
