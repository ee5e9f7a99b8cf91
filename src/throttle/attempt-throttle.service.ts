import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { withTimeout } from '../common/async/with-timeout';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { REDIS_CONNECTION } from '../events/event-publisher';
import type { RedisConnection } from '../events/redis-options';
import { Acquired, InMemorySlidingWindow } from './sliding-window';

/** What is being limited, and by what (`identifier:…`, `address:…`, `identity:…`). */
export interface ThrottleSubject {
  subject: string;
  limit: number;
}

export interface ThrottleAttempt {
  allowed: boolean;
  /** When refused: how long until the next attempt is allowed. */
  retryAfterMs: number;
  /** Gives the attempt back (the guarded work went well, e.g. the password was right). */
  release(): Promise<void>;
}

/**
 * The same algorithm as InMemorySlidingWindow, atomically in Redis: prune each key's window, refuse when any key is
 * full (answering how long until its oldest counted attempt leaves the window), otherwise count the attempt on all.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local token = ARGV[3]
local retry = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[3 + i])
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local wait = tonumber(oldest[2]) + window - now
    if wait > retry then retry = wait end
  end
end
if retry > 0 then return retry end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, token)
  redis.call('PEXPIRE', key, window)
end
return 0
`;

/** How long a throttle check may wait for Redis before this replica decides on its own. */
const REDIS_WAIT_MS = 300;

type ThrottleRedis = RedisConnection & {
  throttleAcquire(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

/**
 * Limits attempts at something guessable (passwords, recovery codes) per subject over a sliding window, shared by all
 * replicas through Redis. While Redis is unreachable each replica limits on its own, in memory: the limits still hold
 * per replica (N replicas allow at most N times the attempts), and nothing is let through unlimited.
 *
 * Keys hold a hash of the subject, never the identifier itself, and share one hash tag so that a Redis Cluster keeps
 * them in one slot (the script touches several at once).
 */
@Injectable()
export class AttemptThrottle {
  private readonly logger = new Logger('Throttle');
  private readonly local = new InMemorySlidingWindow();
  private readonly redis: ThrottleRedis;
  private degraded = false;

  constructor(
    @Inject(REDIS_CONNECTION) redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('throttleAcquire', { lua: ACQUIRE });
    this.redis = redis as ThrottleRedis;
  }

  async acquire(scope: string, subjects: ThrottleSubject[], windowMs: number): Promise<ThrottleAttempt> {
    const prefix = `${this.config.redis.keyPrefix}:{throttle}:${scope}:`;
    const keys = subjects.map((s) => prefix + createHash('sha256').update(s.subject).digest('base64url'));
    const now = Date.now();
    const token = `${now}-${Math.random().toString(36).slice(2)}`;
    const retryAfterMs = await this.acquireShared(keys, subjects, windowMs, now, token);
    if (retryAfterMs !== undefined) {
      return { allowed: retryAfterMs === 0, retryAfterMs, release: () => this.releaseShared(keys, token) };
    }
    const local: Acquired = this.local.acquire(
      subjects.map((s, i) => ({ key: keys[i], limit: s.limit })),
      windowMs,
      now,
    );
    if (!local.allowed) return { allowed: false, retryAfterMs: local.retryAfterMs, release: async () => undefined };
    return { allowed: true, retryAfterMs: 0, release: async () => this.local.release(keys, local.token) };
  }

  /** The shared answer (0 = allowed, otherwise ms to wait), or undefined when Redis could not answer in time. */
  private async acquireShared(keys: string[], subjects: ThrottleSubject[], windowMs: number, now: number, token: string): Promise<number | undefined> {
    if (this.redis.status !== 'ready') return this.fallBack('Redis is not connected');
    try {
      const answer = await withTimeout(
        this.redis.throttleAcquire(keys.length, ...keys, now, windowMs, token, ...subjects.map((s) => s.limit)),
        REDIS_WAIT_MS,
        undefined,
      );
      if (answer === undefined) return this.fallBack(`Redis did not answer within ${REDIS_WAIT_MS} ms`);
      if (this.degraded) this.logger.log('attempt limits are shared through Redis again');
      this.degraded = false;
      return Number(answer);
    } catch (err) {
      return this.fallBack((err as Error).message);
    }
  }

  private async releaseShared(keys: string[], token: string): Promise<void> {
    if (this.redis.status !== 'ready') return;
    await withTimeout(
      Promise.all(keys.map((key) => this.redis.zrem(key, token))).catch(() => undefined),
      REDIS_WAIT_MS,
      undefined,
    );
  }

  private fallBack(why: string): undefined {
    if (!this.degraded) this.logger.warn(`attempt limits are kept per replica, in memory, until Redis answers again (${why})`);
    this.degraded = true;
    return undefined;
  }
}
