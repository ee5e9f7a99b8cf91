import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { withTimeout } from '../common/async/with-timeout';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { REDIS_CONNECTION } from '../events/event-publisher';
import type { RedisConnection } from '../events/redis-options';
import { Acquired, InMemorySlidingWindow, PENDING_MAX_MS } from './sliding-window';

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
  /** Counts the attempt as failed (a wrong password): it uses up the limit until it leaves the window. */
  fail(): Promise<void>;
}

/**
 * The same algorithm as InMemorySlidingWindow, atomically in Redis. Each key is a sorted set of attempts scored by
 * their time, `p:<token>` while pending and `f:<token>` once failed (a pending one older than PENDING_MAX_MS counts
 * as failed). Prune the window; refuse when the failures of any key fill it (answering how long until enough of
 * them leave it); answer -1 (wait) when failures and pending attempts together fill it; otherwise add the attempt
 * as pending on every key. A key holds at most `limit` members, so walking it is cheap.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local token = ARGV[3]
local pendingMax = tonumber(ARGV[4])
local retry = 0
local full = false
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[4 + i])
  local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local failed = {}
  for j = 1, #members, 2 do
    local at = tonumber(members[j + 1])
    if string.sub(members[j], 1, 2) == 'f:' or at <= now - pendingMax then table.insert(failed, at) end
  end
  if #failed >= limit then
    local wait = failed[#failed - limit + 1] + window - now
    if wait < 1 then wait = 1 end
    if wait > retry then retry = wait end
  end
  if #members / 2 >= limit then full = true end
end
if retry > 0 then return retry end
if full then return -1 end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, 'p:' .. token)
  redis.call('PEXPIRE', key, window)
end
return 0
`;

/** A pending attempt becomes a failure, keeping its time. */
const FAIL = `
for _, key in ipairs(KEYS) do
  local at = redis.call('ZSCORE', key, 'p:' .. ARGV[1])
  if at then
    redis.call('ZREM', key, 'p:' .. ARGV[1])
    redis.call('ZADD', key, at, 'f:' .. ARGV[1])
  end
end
return 0
`;

/** A pending attempt is given back (a right password): one round trip for every key. */
const RELEASE = `
for _, key in ipairs(KEYS) do
  redis.call('ZREM', key, 'p:' .. ARGV[1])
end
return 0
`;

/** How long a login waits for concurrent attempts of the same subject to settle before it is refused. */
const WAIT_FOR_PENDING_MS = 3_000;

/** How long a throttle check may wait for Redis before this replica decides on its own. */
const REDIS_WAIT_MS = 300;

type ThrottleRedis = RedisConnection & {
  throttleAcquire(numKeys: number, ...args: Array<string | number>): Promise<number>;
  throttleFail(numKeys: number, ...args: Array<string | number>): Promise<number>;
  throttleRelease(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

/**
 * Limits attempts at something guessable (passwords, recovery codes) per subject over a sliding window, shared by all
 * replicas through Redis. While Redis is unreachable each replica limits on its own, in memory: the limits still hold
 * per replica (N replicas allow at most N times the attempts), and nothing is let through unlimited.
 *
 * Keys hold a hash of the subject, never the identifier itself, and share one hash tag so that a Redis Cluster keeps
 * them in one slot (the script touches several at once).
 */
/** An attempt that has nothing left to record. */
const settled = (): Promise<void> => Promise.resolve();

/** Runs in-memory bookkeeping behind the same promise-returning interface as the Redis path. */
function settle(work: () => void): Promise<void> {
  try {
    work();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error('recording the attempt failed', { cause: err }));
  }
}

@Injectable()
export class AttemptThrottleService {
  private readonly logger = new Logger('Throttle');
  private readonly local = new InMemorySlidingWindow();
  private readonly redis: ThrottleRedis;
  private degraded = false;

  constructor(
    @Inject(REDIS_CONNECTION) redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('throttleAcquire', { lua: ACQUIRE });
    redis.defineCommand('throttleFail', { lua: FAIL });
    redis.defineCommand('throttleRelease', { lua: RELEASE });
    this.redis = redis as ThrottleRedis;
  }

  /**
   * Takes an attempt for `subjects`. While concurrent attempts of the same subject are still pending and fill the
   * window, waits for them to settle (at most WAIT_FOR_PENDING_MS); refused only when failures fill it.
   */
  async acquire(scope: string, subjects: ThrottleSubject[], windowMs: number): Promise<ThrottleAttempt> {
    const prefix = `${this.config.redis.keyPrefix}:{throttle}:${scope}:`;
    const keys = subjects.map((s) => prefix + createHash('sha256').update(s.subject).digest('base64url'));
    const token = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const deadline = Date.now() + WAIT_FOR_PENDING_MS;
    for (let pause = 10; ; pause = Math.min(pause * 2, 100)) {
      const attempt = await this.tryAcquire(keys, subjects, windowMs, token);
      if (attempt !== 'wait') return attempt;
      if (Date.now() + pause > deadline) return { allowed: false, retryAfterMs: 1_000, release: settled, fail: settled };
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  private async tryAcquire(keys: string[], subjects: ThrottleSubject[], windowMs: number, token: string): Promise<ThrottleAttempt | 'wait'> {
    const now = Date.now();
    const shared = await this.acquireShared(keys, subjects, windowMs, now, token);
    if (shared === -1) return 'wait';
    if (shared !== undefined) {
      return {
        allowed: shared === 0,
        retryAfterMs: shared,
        release: () => this.settleShared(keys, token, 'release'),
        fail: () => this.settleShared(keys, token, 'fail'),
      };
    }
    const local: Acquired = this.local.acquire(
      subjects.map((s, i) => ({ key: keys[i], limit: s.limit })),
      windowMs,
      now,
    );
    if (local.allowed === 'wait') return 'wait';
    if (!local.allowed) return { allowed: false, retryAfterMs: local.retryAfterMs, release: settled, fail: settled };
    const localToken = local.token;
    return {
      allowed: true,
      retryAfterMs: 0,
      release: () => settle(() => this.local.release(keys, localToken)),
      fail: () => settle(() => this.local.fail(keys, localToken)),
    };
  }

  /** The shared answer (0 = allowed, -1 = wait, otherwise ms until allowed), or undefined when Redis could not answer in time. */
  private async acquireShared(keys: string[], subjects: ThrottleSubject[], windowMs: number, now: number, token: string): Promise<number | undefined> {
    if (this.redis.status !== 'ready') return this.fallBack('Redis is not connected');
    try {
      const answer = await withTimeout(
        this.redis.throttleAcquire(keys.length, ...keys, now, windowMs, token, PENDING_MAX_MS, ...subjects.map((s) => s.limit)),
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

  private async settleShared(keys: string[], token: string, how: 'release' | 'fail'): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const settled = how === 'release' ? this.redis.throttleRelease(keys.length, ...keys, token) : this.redis.throttleFail(keys.length, ...keys, token);
    await withTimeout(
      Promise.resolve(settled).catch(() => undefined),
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
