import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import IORedis, { Cluster } from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { withTimeout } from '../common/async/with-timeout';
import type { CloudEvent } from './cloud-event';
import { OncePer } from '../common/logging/once-per';
import { createRedis, describeRedis } from './redis-options';
import type { RedisConnection } from './redis-options';

export const EVENT_QUEUES = Symbol('EVENT_QUEUES');
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

/** How long a batch waits for replicas to confirm it (EVENTS_WAIT_REPLICAS). */
const REPLICATION_WAIT_MS = 2_000;

export function createRedisConnection(config: AppConfig): RedisConnection {
  return createRedis(config.redis);
}

/**
 * Puts events on every event queue as BullMQ jobs: job name = event type, job id = event id (deduplicates replays).
 * The queues share one connection, which this class owns: it reports Redis outages once, and closes the connection
 * at shutdown in an order BullMQ survives (see `disconnect`).
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger('Redis');
  private readonly fewReplicas = new OncePer(60_000);
  private down = false;
  /** Subscriber queues that take only some event types. */
  private readonly typesByQueue: Map<string, Set<string>>;

  constructor(
    @Inject(EVENT_QUEUES) private readonly queues: Queue[],
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.typesByQueue = new Map(config.events.subscribers.filter((s) => s.types).map((s) => [s.queue, new Set(s.types)]));
    // Without a listener, a queue's connection error would crash the process; Redis is optional, so log once.
    for (const queue of queues) queue.on('error', (err: Error) => this.markDown(err));
    redis.on('error', (err: Error) => this.markDown(err));
    redis.on('ready', () => {
      if (this.down) this.logger.log(`Redis reachable again at ${describeRedis(this.config.redis)}`);
      this.down = false;
    });
  }

  get queueNames(): string[] {
    return this.queues.map((q) => q.name);
  }

  isReady(): boolean {
    return this.redis.status === 'ready';
  }

  /** Adds the events to every queue that takes them: the default queue takes all, a subscriber queue its types. */
  async publish(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    await Promise.all(
      this.queues.map((queue) => {
        const types = this.typesByQueue.get(queue.name);
        const selected = types ? events.filter((e) => types.has(e.type)) : events;
        if (selected.length === 0) return Promise.resolve();
        return queue.addBulk(selected.map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } })));
      }),
    );
    await this.awaitReplication();
  }

  /**
   * With EVENTS_WAIT_REPLICAS, waits until that many replicas of each master holding the queues have the batch
   * (Redis's WAIT); fewer in time fails the batch, which the relay publishes again (BullMQ drops what it has).
   */
  private async awaitReplication(): Promise<void> {
    const replicas = this.config.events.waitReplicas;
    if (replicas === 0) return;
    for (const master of await this.mastersOfQueues()) {
      const confirmed = Number(await master.call('WAIT', replicas, REPLICATION_WAIT_MS));
      if (confirmed >= replicas) continue;
      // A master just promoted by a failover may have fewer replicas than asked for: what all its connected replicas
      // confirmed is as safe as it can be now, and holding every event back until a replica joins would be worse.
      const connected = Number(/connected_slaves:(\d+)/.exec(String(await master.call('INFO', 'replication')))?.[1] ?? 0);
      if (connected >= replicas || confirmed < connected) {
        throw new Error(`only ${confirmed} of ${replicas} Redis replicas confirmed the events within ${REPLICATION_WAIT_MS} ms`);
      }
      const suppressed = this.fewReplicas.take('few');
      if (suppressed !== undefined) {
        this.logger.warn(`a Redis master has ${connected} connected replicas (EVENTS_WAIT_REPLICAS=${replicas}): events are published on what it has`);
      }
    }
  }

  /** The masters that hold the queues' keys now: the one node, or on a cluster each queue's slot owner. */
  private async mastersOfQueues(): Promise<IORedis[]> {
    const redis = this.redis;
    if (!(redis instanceof Cluster)) return [redis];
    const masters = new Map<string, IORedis>();
    for (const queue of this.queues) {
      const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', `${this.config.events.queuePrefix}:${queue.name}:id`));
      const owner = redis.slots[slot]?.[0];
      const node = redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
      if (!node) throw new Error(`no Redis master known for slot ${slot} (the cluster is changing)`);
      masters.set(owner, node);
    }
    return [...masters.values()];
  }

  /**
   * Closes the shared connection before the queues close: while Redis is up, the queues finish setting up and the
   * connection quits; while it is down, the connection ends first, so the queues' pending set-up fails while they
   * still listen. (BullMQ 5 emitted such a failure with no listener left, which crashed the process; BullMQ 6 drops
   * it when nobody listens, but the order costs nothing and keeps shutdown quiet on either.)
   */
  async disconnect(): Promise<void> {
    if (this.redis.status === 'end') return;
    if (this.redis.status === 'connecting' || this.redis.status === 'connect') {
      // A handshake is in flight (ioredis's ready check): ending now would fail it with nobody listening.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.redis.off('ready', done);
          this.redis.off('end', done);
          resolve();
        };
        const timer = setTimeout(done, 1_000);
        this.redis.once('ready', done);
        this.redis.once('end', done);
      });
    }
    if (this.redis.status === 'ready') {
      await withTimeout(Promise.all(this.queues.map((q) => q.waitUntilReady().catch(() => undefined))), 2_000, undefined);
      // QUIT waits for Redis's answer, which a frozen Redis never gives.
      const quit = await withTimeout(
        this.redis.quit().then(
          () => 'quit' as const,
          () => 'failed' as const,
        ),
        1_000,
        'timeout' as const,
      );
      if (quit !== 'quit') this.redis.disconnect();
    } else {
      this.redis.disconnect();
    }
    await new Promise((r) => setImmediate(r));
  }

  private markDown(err: Error): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(`Redis unreachable at ${describeRedis(this.config.redis)} (${err.message}); events wait in the outbox until it is back`);
  }
}
