import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRecoveryTokens1764100000000 implements MigrationInterface {
  name = 'CreateRecoveryTokens1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recovery_tokens (
        id TEXT NOT NULL PRIMARY KEY,
        flow_id TEXT NOT NULL REFERENCES selfservice_flows (id) ON DELETE CASCADE,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        secret_hmac TEXT NOT NULL,
        expires_at DATETIME NOT NULL,
        used_at DATETIME NULL,
        created_at DATETIME NOT NULL
      )`);
    await q.query('CREATE INDEX recovery_tokens_flow_idx ON recovery_tokens (flow_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE recovery_tokens');
  }
}
