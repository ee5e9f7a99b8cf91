import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay's claim on an outbox row: who holds it (`claimed_by`) and until when (`claim_expires_at`, UTC). A claim
 * is a conditional UPDATE, which Galera certifies across nodes; row locks alone are local to one node. Both columns
 * are nullable without default, which MariaDB and MySQL 8 add instantly, without rebuilding the table.
 */
export class AddOutboxClaims1764200000000 implements MigrationInterface {
  name = 'AddOutboxClaims1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE event_outbox ADD COLUMN claimed_by VARCHAR(160) NULL, ADD COLUMN claim_expires_at DATETIME(6) NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE event_outbox DROP COLUMN claim_expires_at, DROP COLUMN claimed_by');
  }
}
