import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSchemasAndOutbox1763800000000 implements MigrationInterface {
  name = 'CreateSchemasAndOutbox1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity_schemas (
        id VARCHAR(190) NOT NULL,
        url TEXT NOT NULL,
        content LONGTEXT NOT NULL,
        content_sha256 CHAR(64) NOT NULL,
        position INT NOT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await q.query(`
      CREATE TABLE event_outbox (
        seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        id CHAR(36) NOT NULL,
        type VARCHAR(128) NOT NULL,
        subject VARCHAR(255) NOT NULL,
        payload LONGTEXT NOT NULL,
        created_at DATETIME(6) NOT NULL,
        published_at DATETIME(6) NULL,
        attempts INT NOT NULL DEFAULT 0,
        PRIMARY KEY (seq),
        UNIQUE KEY event_outbox_id_uq (id),
        KEY event_outbox_pending_idx (published_at, seq)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE event_outbox');
    await q.query('DROP TABLE identity_schemas');
  }
}
