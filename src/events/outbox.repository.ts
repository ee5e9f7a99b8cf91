import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { In, IsNull, LessThan, Not } from 'typeorm';
import { bulkInsert } from '../database/bulk-insert';
import { placeholders } from '../database/placeholders';
import { runSql, runUpdate } from '../database/run-sql';
import { UnitOfWork } from '../database/unit-of-work';
import type { CloudEvent } from './cloud-event';
import { OutboxEventEntity } from './outbox-event.entity';

export interface PendingEvent {
  seq: string;
  event: CloudEvent;
}

/** Rows one claim holds: `claim` is the token in their `claimed_by`. */
export interface ClaimedBatch {
  claim: string;
  events: PendingEvent[];
}

/**
 * This process's relay identity, generated once: host name, process id and a random part (two processes of one pod,
 * or a restarted process with the same pid, differ). It starts every claim token, so `claimed_by` tells an operator
 * which replica holds or published a row.
 */
export const RELAY_REPLICA_ID = `${hostname().slice(0, 100)}:${process.pid}:${randomBytes(4).toString('hex')}`;

let claimCount = 0;

/** A token of its own for every claim, so that two relays of one process (or a flush beside a tick) never share rows. */
function nextClaimToken(): string {
  claimCount += 1;
  return `${RELAY_REPLICA_ID}#${claimCount}`;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get repo() {
    return this.uow.manager().getRepository(OutboxEventEntity);
  }

  async insert(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = new Date();
    // Chunked multi-row inserts: one statement per 500 events keeps packets small and round trips few.
    await bulkInsert(
      this.uow.manager(),
      this.uow.sqlDialect,
      OutboxEventEntity,
      events.map(
        (e) =>
          ({ id: e.id, type: e.type, subject: e.subject, payload: JSON.stringify(e), createdAt: now, publishedAt: null, attempts: 0 }) as OutboxEventEntity,
      ),
    );
  }

  /**
   * Claims up to `limit` unpublished events, oldest first, for `leaseMs`; call it in a transaction (READ COMMITTED on
   * MySQL/MariaDB) and commit before publishing. The claim is a conditional UPDATE (`claimed_by`, `claim_expires_at`)
   * of rows that nobody holds, or whose holder's lease has lapsed:
   * - on one MySQL/MariaDB server, candidates are first locked with `FOR UPDATE SKIP LOCKED`, so relays claiming at
   *   the same moment take different rows without waiting for each other;
   * - on a multi-primary cluster (Galera) row locks are local to a node, so two nodes may pick the same candidates;
   *   both UPDATEs write the same rows, certification lets one commit and fails the other with a deadlock (1213),
   *   which UnitOfWork retries and which then finds those rows claimed;
   * - SQLite has one writer at a time: the same statements, without locks.
   * Returns the rows this claim got (its `claim` token is what `markPublished` and `release` check).
   */
  async claimPending(limit: number, leaseMs: number, claim = nextClaimToken()): Promise<ClaimedBatch> {
    const manager = this.uow.manager();
    const dialect = this.uow.sqlDialect;
    const now = dialect.utcNow();
    const lease = Math.max(1, Math.round(leaseMs));
    const until = dialect.utcNowPlusMs(lease);
    const claimable = `published_at IS NULL AND (claimed_by IS NULL OR claim_expires_at < ${now})`;
    const candidates = await runSql<Array<{ seq: string | number; payload: string }>>(
      manager,
      `SELECT seq, payload FROM event_outbox WHERE ${claimable} ORDER BY seq LIMIT ?${dialect.lockClause({ skipLocked: true })}`,
      [limit],
    );
    if (candidates.length === 0) return { claim, events: [] };
    const seqs = candidates.map((r) => String(r.seq));
    const marks = placeholders(seqs);
    // The condition again: on Galera another node may have claimed a candidate since (its write is applied here).
    const claimed = await runUpdate(
      manager,
      `UPDATE event_outbox SET claimed_by = ?, claim_expires_at = ${until}, attempts = attempts + 1 WHERE seq IN (${marks}) AND ${claimable}`,
      [claim, ...seqs],
    );
    // Every candidate claimed (always so on one server, where they are locked): they are the batch. Otherwise only
    // the rows that now carry this claim's token are.
    const rows =
      claimed === candidates.length
        ? candidates
        : await runSql<Array<{ seq: string | number; payload: string }>>(
            manager,
            `SELECT seq, payload FROM event_outbox WHERE seq IN (${marks}) AND claimed_by = ? ORDER BY seq`,
            [...seqs, claim],
          );
    return { claim, events: rows.map((r) => ({ seq: String(r.seq), event: JSON.parse(r.payload) as CloudEvent })) };
  }

  /** Marks the claim's rows published; returns how many it still held (fewer when its lease lapsed and another took them). */
  async markPublished(batch: ClaimedBatch, at = new Date()): Promise<number> {
    if (batch.events.length === 0) return 0;
    return this.updateHeld(batch, 'published_at = ?, claim_expires_at = NULL', [at]);
  }

  /** Gives the claim's unpublished rows back at once (publishing failed), rather than when the lease lapses. */
  async release(batch: ClaimedBatch): Promise<void> {
    if (batch.events.length === 0) return;
    await this.updateHeld(batch, 'claimed_by = NULL, claim_expires_at = NULL', []);
  }

  /** `SET assignments` on the rows the claim still holds unpublished, in plain SQL (a thousand-row IN list costs TypeORM's builder more than MariaDB). */
  private updateHeld(batch: ClaimedBatch, assignments: string, values: unknown[]): Promise<number> {
    const dialect = this.uow.sqlDialect;
    const seqs = batch.events.map((e) => e.seq);
    return runUpdate(
      this.uow.manager(),
      `UPDATE event_outbox SET ${assignments} WHERE seq IN (${placeholders(seqs)}) AND claimed_by = ? AND published_at IS NULL`,
      [...values.map((v) => dialect.writeValue(v)), ...seqs, batch.claim],
    );
  }

  async oldestPendingCreatedAt(): Promise<Date | null> {
    const row = await this.repo.findOne({ select: { createdAt: true }, where: { publishedAt: IsNull() }, order: { seq: 'ASC' } });
    return row?.createdAt ?? null;
  }

  async countPending(): Promise<number> {
    return this.repo.count({ where: { publishedAt: IsNull() } });
  }

  /** Deletes published rows older than `before`; the queue's own jobId dedup window is what matters after that. */
  async prunePublished(before: Date, limit = 5000): Promise<number> {
    const rows = await this.repo.find({
      select: { seq: true },
      where: { publishedAt: Not(IsNull()), createdAt: LessThan(before) },
      order: { seq: 'ASC' },
      take: limit,
    });
    if (rows.length === 0) return 0;
    await this.repo.delete({ seq: In(rows.map((r) => r.seq)) });
    return rows.length;
  }
}
