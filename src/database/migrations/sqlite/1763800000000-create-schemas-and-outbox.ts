import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSchemasAndOutbox1763800000000 implements MigrationInterface {
  name = 'CreateSchemasAndOutbox1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity_schemas (
        id TEXT NOT NULL PRIMARY KEY,
        url TEXT NOT NULL,
        content TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        position INTEGER NOT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
      )`);
    await q.query(`
      CREATE TABLE event_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        subject TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at DATETIME NOT NULL,
        published_at DATETIME NULL,
        attempts INTEGER NOT NULL DEFAULT 0
      )`);
    await q.query('CREATE UNIQUE INDEX event_outbox_id_uq ON event_outbox (id)');
    await q.query('CREATE INDEX event_outbox_pending_idx ON event_outbox (published_at, seq)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE event_outbox');
    await q.query('DROP TABLE identity_schemas');
  }
}
