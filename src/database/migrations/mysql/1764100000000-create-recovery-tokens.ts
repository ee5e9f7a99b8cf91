import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRecoveryTokens1764100000000 implements MigrationInterface {
  name = 'CreateRecoveryTokens1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recovery_tokens (
        id CHAR(36) NOT NULL,
        flow_id CHAR(36) NOT NULL,
        identity_id CHAR(36) NOT NULL,
        kind VARCHAR(8) NOT NULL,
        secret_hmac CHAR(64) NOT NULL,
        expires_at DATETIME(6) NOT NULL,
        used_at DATETIME(6) NULL,
        created_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id),
        KEY recovery_tokens_flow_idx (flow_id),
        CONSTRAINT recovery_tokens_flow_fk FOREIGN KEY (flow_id) REFERENCES selfservice_flows (id) ON DELETE CASCADE,
        CONSTRAINT recovery_tokens_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE recovery_tokens');
  }
}
