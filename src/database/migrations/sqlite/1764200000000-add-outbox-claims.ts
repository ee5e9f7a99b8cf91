import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddOutboxClaims1764200000000 implements MigrationInterface {
  name = 'AddOutboxClaims1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE event_outbox ADD COLUMN claimed_by TEXT NULL');
    await q.query('ALTER TABLE event_outbox ADD COLUMN claim_expires_at DATETIME NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE event_outbox DROP COLUMN claim_expires_at');
    await q.query('ALTER TABLE event_outbox DROP COLUMN claimed_by');
  }
}
