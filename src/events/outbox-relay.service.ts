import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { withTimeout } from '../common/async/with-timeout';
import { isRetryableTransactionError } from '../database/database-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { EventMetrics } from './event-metrics';
import { EventPublisher } from './event-publisher';
import { ClaimedBatch, OutboxRepository } from './outbox.repository';

export interface RelayStatus {
  enabled: boolean;
  redis: 'up' | 'down';
  failing: boolean;
  lastError?: string;
  lastPublishedAt?: string;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Moves committed events from the outbox to BullMQ in batches: claim, publish, mark.
 * - Claim: a short transaction sets `claimed_by` (a token of this claim, starting with this process's replica id)
 *   and a lease on up to EVENTS_RELAY_BATCH_SIZE unclaimed pending rows, oldest first (OutboxRepository.claimPending).
 *   A conditional UPDATE is what makes it exclusive: on a single server `FOR UPDATE SKIP LOCKED` keeps relays off each
 *   other's candidates, and on a multi-primary cluster (Galera), where row locks are local to a node, certification
 *   fails all but one of the claims of a row (a deadlock error, retried by UnitOfWork: the retry finds it claimed).
 * - Publish: outside any transaction, so that no lock or open write set waits on Redis. Each batch goes to BullMQ in
 *   `seq` (insertion) order; batches of different relays may interleave.
 * - Mark: `published_at` is set where the claim still holds the row, while the next batch is claimed (the lease keeps
 *   the rows from other relays until then). If publishing fails the claim is released at once, and the rows wait for
 *   the next try (with exponential backoff while Redis is down).
 * - Coalescing: while commits keep coming, cycles start at least EVENTS_RELAY_COALESCE_MS apart, so that a cycle carries
 *   the events of its window rather than one each; after a quiet spell the first commit starts a cycle at once.
 * A relay that dies between claim and mark leaves its rows claimed until the lease lapses (CLAIM_LEASE_MS); another
 * relay then publishes them again and BullMQ drops the duplicates because the job id is the event id. Delivery is
 * therefore at-least-once, deduplicated at the queue; a healthy cluster publishes every row once.
 */

/**
 * How long a claim holds its rows. Publishing a batch takes milliseconds; the lease only matters when a relay dies
 * (or Redis stalls) mid-batch, and is then how long those rows wait. A relay outliving its lease publishes rows that
 * another may publish too, which BullMQ drops by job id. Database clocks (UTC) are compared, so keep nodes in NTP sync.
 */
export const CLAIM_LEASE_MS = 30_000;

/** How long a graceful stop may spend publishing what is pending (README: Running in Kubernetes). */
const SHUTDOWN_DRAIN_MS = 10_000;
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private timer?: NodeJS.Timeout;
  private timerDueAt = 0;
  private lastCycleAt = 0;
  private inFlight?: Promise<void>;
  private rerun = false;
  private started = false;
  private stopped = false;
  private backoffMs = 0;
  private lastError?: string;
  private lastPublishedAt?: Date;
  private lastPruneAt = 0;
  private batchChain: Promise<unknown> = Promise.resolve();
  /** Marks of published batches still being written; the next batch is claimed meanwhile. */
  private readonly marking = new Set<Promise<void>>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: EventPublisher,
    private readonly uow: UnitOfWork,
    private readonly metrics: EventMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.started = this.config.events.relayEnabled;
    if (this.started) this.schedule(0);
  }

  /** Called after a transaction that recorded events commits: publish now rather than at the next poll. */
  nudge(): void {
    if (!this.started || this.stopped || this.backoffMs > 0) return;
    if (this.inFlight) {
      this.rerun = true;
      return;
    }
    // Cycles start at least EVENTS_RELAY_COALESCE_MS apart while events keep coming: under load a claim → publish →
    // mark cycle (six statements and a Redis call) then carries the events of that window instead of one each. An
    // event committed after a quiet spell still goes out at once.
    const due = this.lastCycleAt + this.config.events.relayCoalesceMs - Date.now();
    if (this.timer && this.timerDueAt <= Date.now() + Math.max(due, 0)) return;
    this.schedule(Math.max(due, 0));
  }

  status(): RelayStatus {
    return {
      enabled: this.config.events.relayEnabled,
      redis: this.publisher.isReady() ? 'up' : 'down',
      failing: this.lastError !== undefined,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.lastPublishedAt ? { lastPublishedAt: this.lastPublishedAt.toISOString() } : {}),
    };
  }

  /** Committed events not yet published. */
  backlog(): Promise<number> {
    return this.outbox.countPending();
  }

  /** Publishes everything pending now; resolves with the number of events published. Throws when Redis is down. */
  async flush(): Promise<number> {
    while (this.inFlight) await this.inFlight;
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < this.config.events.relayBatchSize) break;
    }
    await this.settleMarks();
    return total;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // The whole drain is bounded: a frozen Redis accepts the connection and answers nothing.
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    if (this.inFlight)
      await withTimeout(
        this.inFlight.catch(() => undefined),
        SHUTDOWN_DRAIN_MS,
        undefined,
      );
    // A start that failed half-way never relayed; there is nothing to drain then.
    if (this.started && this.publisher.isReady() && Date.now() < deadline) {
      // Drain what is pending so a graceful stop leaves nothing behind that Redis could have taken.
      try {
        const drained = await withTimeout(this.flush(), deadline - Date.now(), -1);
        if (drained > 0) this.logger.log(`published ${drained} pending events before shutdown`);
      } catch (err) {
        this.logger.warn(`could not drain the outbox before shutdown: ${(err as Error).message}`);
      }
    }
    await this.publisher.disconnect();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    // While Redis is down the publisher has already said so; wait, with backoff, without claiming anything.
    if (!this.publisher.isReady()) return this.schedule(this.backOff());
    try {
      this.lastCycleAt = Date.now();
      this.rerun = false;
      await this.drainPipelined();
      await this.settleMarks();
      if (this.lastError) this.logger.log('event relay recovered; publishing resumed');
      this.backoffMs = 0;
      this.lastError = undefined;
      await this.pruneIfDue();
      // Events committed meanwhile go out together in the next cycle, EVENTS_RELAY_COALESCE_MS after this one began.
      const coalesced = Math.max(this.lastCycleAt + this.config.events.relayCoalesceMs - Date.now(), 0);
      this.schedule(this.rerun && !this.stopped ? coalesced : this.config.events.relayIntervalMs);
    } catch (err) {
      this.metrics.relayFailed();
      if (!this.lastError) this.logger.warn(`event relay paused: ${(err as Error).message}; retrying with backoff`);
      this.lastError = (err as Error).message;
      this.schedule(this.backOff());
    }
  }

  private backOff(): number {
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, this.config.events.relayIntervalMs), this.config.events.relayMaxBackoffMs);
    return this.backoffMs;
  }

  /**
   * One batch at a time per relay: a flush beside a tick waits for the tick's batch, so that when `flush` returns
   * everything pending at its call is in Redis, whichever of the two claimed it; and batches go out in order.
   */
  private publishBatch(): Promise<number> {
    const run = this.batchChain.then(() => this.claimPublishMark());
    this.batchChain = run.catch(() => undefined);
    return run;
  }

  private async claimPublishMark(): Promise<number> {
    const batch = await this.claim();
    if (batch.events.length === 0) return 0;
    await this.publishClaimed(batch);
    return batch.events.length;
  }

  /**
   * Drains a backlog with the next claim overlapping the current batch's publish (the claim's round trips to the
   * database and the publish's to Redis run at the same time); batches still go to Redis one after another, in order.
   * Runs in the batch chain, so a `flush` beside it waits as it waits for any batch.
   */
  private drainPipelined(): Promise<void> {
    const run = this.batchChain.then(async () => {
      const size = this.config.events.relayBatchSize;
      let next = this.claim();
      for (;;) {
        const batch = await next;
        if (batch.events.length === 0) return;
        const more = batch.events.length >= size && !this.stopped;
        next = more ? this.claim() : Promise.resolve({ claim: '', events: [] });
        // Handled at once (awaited below): a claim failing during the publish must not be an unhandled rejection.
        next.catch(() => undefined);
        try {
          await this.publishClaimed(batch);
        } catch (err) {
          // The prefetched claim is given back too, so that its rows need not wait for the lease.
          const prefetched = await next.catch(() => undefined);
          if (prefetched && prefetched.events.length > 0) await this.releaseQuietly(prefetched);
          throw err;
        }
        if (!more) return;
      }
    });
    this.batchChain = run.catch(() => undefined);
    return run;
  }

  private async releaseQuietly(batch: ClaimedBatch): Promise<void> {
    // Give the rows back now rather than when the lease lapses; if even that fails, the lease frees them.
    await this.uow
      .autocommit(() => this.outbox.release(batch))
      .catch((releaseErr: unknown) => {
        this.logger.debug(`could not release claimed events: ${(releaseErr as Error).message}`);
      });
  }

  /** Publishes a claimed batch (released again if that fails) and starts writing its mark. */
  private async publishClaimed(batch: ClaimedBatch): Promise<void> {
    const events = batch.events.map((p) => p.event);
    try {
      await this.publisher.publish(events);
    } catch (err) {
      await this.releaseQuietly(batch);
      throw err;
    }
    this.lastPublishedAt = new Date();
    this.metrics.published(events);
    // The mark is written while the next batch is claimed and published: its rows stay claimed (leased) until then,
    // so no relay takes them meanwhile. Callers wait for the marks (`settleMarks`) before they report.
    // One UPDATE: autocommit, no transaction of its own, retried when it loses a conflict (on Galera a mark can lose
    // certification to another node's claim); a mark that still fails leaves the rows leased, published again later.
    const mark = this.uow
      .autocommit(() => this.outbox.markPublished(batch))
      .then((marked) => {
        if (marked < events.length) {
          this.logger.warn(`${events.length - marked} events were claimed again by another relay before they were marked published (lease lapsed)`);
        }
      });
    this.marking.add(mark);
    void mark.catch(() => undefined).finally(() => this.marking.delete(mark));
  }

  /** Waits for the marks in flight; the first failure is thrown (its rows are published again after the lease). */
  private async settleMarks(): Promise<void> {
    while (this.marking.size > 0) await Promise.all([...this.marking]);
  }

  /**
   * Claims the next batch in a transaction of its own (READ COMMITTED on MySQL/MariaDB: record locks only, never gap
   * locks that would block new outbox inserts). When every retry lost a certification conflict, other relays hold
   * those rows: nothing is claimed this round, which is not a failure.
   */
  private async claim(): Promise<ClaimedBatch> {
    try {
      return await this.uow.run(() => this.outbox.claimPending(this.config.events.relayBatchSize, CLAIM_LEASE_MS), { isolation: 'READ COMMITTED' });
    } catch (err) {
      if (!isRetryableTransactionError(err)) throw err;
      this.logger.debug(`claim lost to other relays: ${(err as Error).message}`);
      return { claim: '', events: [] };
    }
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    const before = new Date(Date.now() - this.config.events.outboxRetentionSeconds * 1000);
    const removed = await this.uow.run(() => this.outbox.prunePublished(before));
    if (removed > 0) this.logger.log(`pruned ${removed} published outbox rows`);
  }
}
