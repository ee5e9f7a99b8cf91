import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessionsAndFlows1764000000000 implements MigrationInterface {
  name = 'CreateSessionsAndFlows1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sessions (
        id TEXT NOT NULL PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL,
        active BOOLEAN NOT NULL,
        expires_at DATETIME NOT NULL,
        authenticated_at DATETIME NOT NULL,
        issued_at DATETIME NOT NULL,
        aal TEXT NOT NULL,
        authentication_methods TEXT NOT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX sessions_token_hash_uq ON sessions (token_hash)');
    await q.query('CREATE INDEX sessions_identity_idx ON sessions (identity_id, authenticated_at)');
    await q.query(`
      CREATE TABLE session_devices (
        id TEXT NOT NULL PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        ip_address TEXT NULL,
        user_agent TEXT NULL,
        location TEXT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE INDEX session_devices_session_idx ON session_devices (session_id)');
    await q.query(`
      CREATE TABLE selfservice_flows (
        id TEXT NOT NULL PRIMARY KEY,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        state TEXT NOT NULL,
        identity_id TEXT NULL REFERENCES identities (id) ON DELETE CASCADE,
        session_id TEXT NULL,
        request_url TEXT NOT NULL,
        return_to TEXT NULL,
        context TEXT NOT NULL,
        submit_count INTEGER NOT NULL DEFAULT 0,
        expires_at DATETIME NOT NULL,
        issued_at DATETIME NOT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query('CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at)');
    await q.query('CREATE INDEX selfservice_flows_identity_idx ON selfservice_flows (identity_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['selfservice_flows', 'session_devices', 'sessions']) await q.query(`DROP TABLE ${t}`);
  }
}
