import { hostname } from 'node:os';
import { z } from 'zod';
import { EVENT_TYPES, EventType } from '../../events/event-catalogue';
import { booleanFlag, ConfigError, defineSection, nonNegativeInt, parseJsonList, positiveInt } from './config-section';
import type { RedisConfig } from './redis.section';

export interface EventSubscriber {
  queue: string;
  /** Event types this queue receives; undefined means all. */
  types?: string[];
}

const queueName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'may contain letters, digits, ".", "_" and "-" only');
const taggableName = z.string().regex(/^[A-Za-z0-9._{}-]+$/, 'may contain letters, digits, ".", "_", "-", "{" and "}" only');

function parseSubscribers(raw: string | undefined, defaultQueue: string): EventSubscriber[] {
  if (raw === undefined || raw.trim() === '') return [];
  const subscribers = parseJsonList(
    'EVENTS_SUBSCRIBERS',
    raw,
    z.array(
      z.strictObject({
        queue: queueName,
        types: z
          .array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))
          .min(1)
          .optional(),
      }),
    ),
    '{"queue", "types"?}',
  );
  const names = new Set([defaultQueue]);
  for (const s of subscribers) {
    if (names.has(s.queue)) throw new ConfigError(`EVENTS_SUBSCRIBERS: queue "${s.queue}" is listed twice (or is EVENTS_QUEUE)`);
    names.add(s.queue);
  }
  return subscribers;
}

/** The hash tag of a Redis key: the part between the first "{" and the next "}", when not empty. */
function hashTag(key: string): string | undefined {
  return /\{([^}]+)\}/.exec(key)?.[1];
}

/**
 * BullMQ's prefix. On a Redis Cluster every key of a queue must hash to one slot (BullMQ's scripts touch several at
 * once), which a hash tag in the prefix or in the queue names ensures; without one the relay would fail with CROSSSLOT.
 */
function queuePrefix(configured: string | undefined, queues: string[], cluster: boolean): string {
  const prefix = configured ?? (cluster ? '{bull}' : 'bull');
  if (cluster && !hashTag(prefix)) {
    const untagged = queues.filter((q) => !hashTag(q));
    if (untagged.length > 0) {
      throw new ConfigError(
        `EVENTS_QUEUE_PREFIX: on a Redis Cluster the prefix ("${prefix}") or every queue name (not: ${untagged.join(', ')}) needs a hash tag such as {bull}`,
      );
    }
  }
  return prefix;
}

export const eventsSection = defineSection(
  {
    EVENTS_QUEUE: taggableName.default('kratos-events'),
    EVENTS_QUEUE_PREFIX: taggableName.optional(),
    EVENTS_SOURCE: z.string().min(1).default(`urn:kratos-nest:${hostname()}`),
    EVENTS_RELAY_ENABLED: booleanFlag.prefault('true'),
    EVENTS_RELAY_INTERVAL_MS: positiveInt.default(500),
    EVENTS_RELAY_BATCH_SIZE: positiveInt.max(5000).default(500),
    EVENTS_RELAY_COALESCE_MS: nonNegativeInt.max(1000).default(20),
    EVENTS_RELAY_MAX_BACKOFF_MS: positiveInt.default(30_000),
    EVENTS_KEEP_COMPLETED_SECONDS: positiveInt.default(7 * 24 * 3600),
    EVENTS_OUTBOX_RETENTION_SECONDS: positiveInt.default(7 * 24 * 3600),
    EVENTS_SUBSCRIBERS: z.string().optional(),
    EVENTS_JOB_ATTEMPTS: positiveInt.max(100).default(5),
    EVENTS_WAIT_REPLICAS: nonNegativeInt.max(16).default(0),
  },
  (v, deps: { redis: RedisConfig }) => {
    const subscribers = parseSubscribers(v.EVENTS_SUBSCRIBERS, v.EVENTS_QUEUE);
    return {
      queue: v.EVENTS_QUEUE,
      /** BullMQ's key prefix (`bull`, its default; on a cluster `{bull}`, a hash tag, so that each queue's keys share a slot). */
      queuePrefix: queuePrefix(v.EVENTS_QUEUE_PREFIX, [v.EVENTS_QUEUE, ...subscribers.map((s) => s.queue)], deps.redis.mode === 'cluster'),
      source: v.EVENTS_SOURCE,
      relayEnabled: v.EVENTS_RELAY_ENABLED,
      relayIntervalMs: v.EVENTS_RELAY_INTERVAL_MS,
      /** Under load, relay cycles start at least this far apart, so that each carries the events of the window. */
      relayCoalesceMs: v.EVENTS_RELAY_COALESCE_MS,
      relayBatchSize: v.EVENTS_RELAY_BATCH_SIZE,
      relayMaxBackoffMs: v.EVENTS_RELAY_MAX_BACKOFF_MS,
      keepCompletedSeconds: v.EVENTS_KEEP_COMPLETED_SECONDS,
      outboxRetentionSeconds: v.EVENTS_OUTBOX_RETENTION_SECONDS,
      /** How often BullMQ retries a job whose consumer failed (exponential backoff from one second). */
      jobAttempts: v.EVENTS_JOB_ATTEMPTS,
      /**
       * Redis replicas that must confirm (WAIT) a batch before its outbox rows count as published: with 1, a master
       * that dies right after taking a batch cannot lose it (its replica, promoted, has it). 0 trusts the master.
       */
      waitReplicas: v.EVENTS_WAIT_REPLICAS,
      /** Extra queues, each receiving every event or only the listed types. */
      subscribers,
    };
  },
);
