import { randomBytes } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { RunningApp, startApp } from '../../src/app.factory';
import { createTestDatabase, Dialect, TestDatabase } from './test-database';
import { freePort } from './free-port';
import type { CloudEvent } from '../../src/events/cloud-event';
import { withTimeout } from '../../src/common/async/with-timeout';
import type { RedisConnection } from '../../src/events/redis-options';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp extends RunningApp {
  config: AppConfig;
  database: TestDatabase;
  /** Stops the app; the database and the queue are kept for `reuse` and removed by `destroy`. */
  stop(): Promise<void>;
  /** Stops the app and removes its database and queue. */
  destroy(): Promise<void>;
}

export interface TestAppOptions {
  dialect?: Dialect;
  env?: Record<string, string>;
  /** Start against an existing database (for restart tests). */
  database?: TestDatabase;
}

/** Boots the real application on free loopback ports against a fresh database and its own event queue. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(options.dialect ?? 'mysql'));
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PUBLIC_PORT: String(publicPort),
    ADMIN_PORT: String(adminPort),
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    EVENTS_QUEUE: `test-events-${randomBytes(4).toString('hex')}`,
    // Attempt limits of one test app are not another's (they all come from 127.0.0.1 and share the Redis).
    REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    EVENTS_RELAY_INTERVAL_MS: '100',
    // Tests stop apps all the time; the drain delay is for Kubernetes' endpoints (tested in test/lifecycle).
    SHUTDOWN_DRAIN_DELAY: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  };
  const config = loadConfig(env);
  let running: RunningApp;
  try {
    running = await startApp(config, { logger: process.env.TEST_LOG_LEVEL !== undefined });
  } catch (err) {
    if (!options.database) await database.drop();
    throw err;
  }
  return {
    ...running,
    config,
    database,
    stop: () => running.close(),
    async destroy() {
      await running.close();
      // Private clusters and Sentinel sets are torn down by their tests; the shared Redis is cleaned here.
      if (config.redis.mode === 'single') {
        for (const queue of [config.events.queue, ...config.events.subscribers.map((s) => s.queue)]) {
          await obliterateQueue(queue, config.redis.url);
        }
      }
      await database.drop();
    },
  };
}

async function obliterateQueue(name: string, redisUrl: string): Promise<void> {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000 });
  const queue = new Queue(name, { connection });
  queue.on('error', () => undefined);
  try {
    await withTimeout(queue.obliterate({ force: true }), 3000, undefined);
  } catch {
    // Redis may be gone in fault-injection tests; nothing to clean then.
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}

/** Reads the jobs on an event queue, as a consumer would see them. */
export class QueueReader {
  private readonly connection: RedisConnection;
  private readonly queue: Queue;

  /** On one Redis by its URL, or on a connection of the test's (a cluster's, with the service's BullMQ prefix). */
  constructor(name: string, redis: string | { connection: RedisConnection; prefix: string } = TEST_REDIS_URL) {
    this.connection = typeof redis === 'string' ? new IORedis(redis, { maxRetriesPerRequest: 1 }) : redis.connection;
    this.queue = new Queue(name, { connection: this.connection, ...(typeof redis === 'string' ? {} : { prefix: redis.prefix }) });
    this.queue.on('error', () => undefined);
  }

  async jobs(): Promise<Array<Job<CloudEvent>>> {
    return this.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
  }

  async events(): Promise<CloudEvent[]> {
    return (await this.jobs()).map((j) => j.data).sort((a, b) => a.time.localeCompare(b.time));
  }

  /** Polls until `predicate(events)` holds or the time runs out; returns the last events seen. */
  async waitFor(predicate: (events: CloudEvent[]) => boolean, timeoutMs = 15_000): Promise<CloudEvent[]> {
    const deadline = Date.now() + timeoutMs;
    let events = await this.events();
    while (!predicate(events) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      events = await this.events();
    }
    return events;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
