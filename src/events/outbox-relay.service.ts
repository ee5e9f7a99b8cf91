import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { withTimeout } from '../common/async/with-timeout';
import { UnitOfWork } from '../database/unit-of-work';
import type { CloudEvent } from './cloud-event';
import { EventMetrics } from './event-metrics';
import { EventPublisher } from './event-publisher';
import { OutboxRepository } from './outbox.repository';

export interface RelayStatus {
  enabled: boolean;
  redis: 'up' | 'down';
  failing: boolean;
  lastError?: string;
  lastPublishedAt?: string;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Moves committed events from the outbox to BullMQ. Each batch is claimed, published and marked inside one
 * transaction: if publishing fails the claim rolls back and the rows wait for the next try (with exponential
 * backoff while Redis is down). A crash between publish and commit republishes the batch, and BullMQ drops the
 * duplicates because the job id is the event id. Delivery is therefore at-least-once, deduplicated at the queue.
 */

/** How long a graceful stop may spend publishing what is pending (README: Running in Kubernetes). */
const SHUTDOWN_DRAIN_MS = 10_000;
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private rerun = false;
  private started = false;
  private stopped = false;
  private backoffMs = 0;
  private lastError?: string;
  private lastPublishedAt?: Date;
  private lastPruneAt = 0;

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
    this.schedule(0);
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
      if (published < this.config.events.relayBatchSize) return total;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // The whole drain is bounded: a frozen Redis accepts the connection and answers nothing.
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    if (this.inFlight) await withTimeout(this.inFlight.catch(() => undefined), SHUTDOWN_DRAIN_MS, undefined);
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
      do {
        this.rerun = false;
        while ((await this.publishBatch()) >= this.config.events.relayBatchSize && !this.stopped) {
          // keep draining a backlog
        }
      } while (this.rerun && !this.stopped);
      if (this.lastError) this.logger.log('event relay recovered; publishing resumed');
      this.backoffMs = 0;
      this.lastError = undefined;
      await this.pruneIfDue();
      this.schedule(this.config.events.relayIntervalMs);
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

  private async publishBatch(): Promise<number> {
    const published = this.uow.dialect === 'mysql' ? await this.publishLocked() : await this.publishUnlocked();
    if (published.length > 0) {
      this.lastPublishedAt = new Date();
      this.metrics.published(published);
    }
    return published.length;
  }

  /**
   * MySQL/MariaDB: claim, publish and mark in one transaction, so concurrent relays (replicas) skip each other's rows.
   * READ COMMITTED: the claim takes record locks only, never gap locks that would block new outbox inserts.
   */
  private publishLocked(): Promise<CloudEvent[]> {
    return this.uow.run(
      async () => {
        const pending = await this.outbox.claimPending(this.config.events.relayBatchSize);
        if (pending.length === 0) return [];
        const events = pending.map((p) => p.event);
        await this.publisher.publish(events);
        await this.outbox.markPublished(pending.map((p) => p.seq));
        return events;
      },
      { isolation: 'READ COMMITTED' },
    );
  }

  /**
   * SQLite: one process, and one writer at a time, so a transaction held across the Redis round trip would stall
   * every write. Read, publish, then mark; a crash in between republishes, which BullMQ drops by job id.
   */
  private async publishUnlocked(): Promise<CloudEvent[]> {
    const pending = await this.outbox.claimPending(this.config.events.relayBatchSize);
    if (pending.length === 0) return [];
    const events = pending.map((p) => p.event);
    await this.publisher.publish(events);
    await this.uow.run(() => this.outbox.markPublished(pending.map((p) => p.seq)));
    return events;
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    const before = new Date(Date.now() - this.config.events.outboxRetentionSeconds * 1000);
    const removed = await this.uow.run(() => this.outbox.prunePublished(before));
    if (removed > 0) this.logger.log(`pruned ${removed} published outbox rows`);
  }
}
