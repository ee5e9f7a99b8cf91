/**
 * Sliding-window attempt counting: a key may have at most `limit` failed attempts in any `windowMs`. An attempt is
 * taken before the work it guards (so that concurrent guesses each use one up) as *pending*; it then either turns
 * into a failure (a wrong password: it counts until it leaves the window) or is given back (a right one).
 *
 * When failures and pending attempts together fill the window, the answer depends on what fills it: failures alone
 * refuse (429); pending attempts ask the caller to wait a moment, since they may yet be given back (a person signing
 * in on several devices at once is not refused because the others have not finished hashing).
 *
 * This is the in-process form, used while Redis is unreachable; `ACQUIRE` in attempt-throttle.service.ts is the same
 * algorithm in Redis, which all replicas share.
 */
export interface WindowLimit {
  key: string;
  limit: number;
}

/** Taken (settle it with its `token`), refused for `retryAfterMs`, or full of pending attempts: ask again shortly. */
export type Acquired = { allowed: true; token: string } | { allowed: false; retryAfterMs: number } | { allowed: 'wait' };

interface Attempt {
  at: number;
  token: string;
  failed: boolean;
}

/** Bounds the memory a flood of distinct keys (random identifiers, spoofed addresses) can take in one process. */
const MAX_KEYS = 100_000;

/**
 * How long an attempt that was neither given back nor failed counts as pending (its process died, or its request
 * threw): after that it counts as a failure, which errs on the side of the limit.
 */
export const PENDING_MAX_MS = 30_000;

/** The wait until the failures alone no longer fill a window of `limit` (0 when they do not). */
export function retryAfter(failedAt: number[], limit: number, windowMs: number, now: number): number {
  if (failedAt.length < limit) return 0;
  const sorted = [...failedAt].sort((a, b) => a - b);
  return Math.max(1, sorted[sorted.length - limit] + windowMs - now);
}

export class InMemorySlidingWindow {
  private readonly attempts = new Map<string, Attempt[]>();
  private sequence = 0;

  acquire(limits: WindowLimit[], windowMs: number, now = Date.now()): Acquired {
    let retryAfterMs = 0;
    let full = false;
    for (const { key, limit } of limits) {
      const list = this.live(key, windowMs, now);
      const failed = list.filter((a) => a.failed || a.at <= now - PENDING_MAX_MS).map((a) => a.at);
      retryAfterMs = Math.max(retryAfterMs, retryAfter(failed, limit, windowMs, now));
      if (list.length >= limit) full = true;
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    if (full) return { allowed: 'wait' };
    const token = `${now}-${++this.sequence}`;
    for (const { key } of limits) {
      const list = this.attempts.get(key) ?? [];
      list.push({ at: now, token, failed: false });
      this.attempts.delete(key); // re-inserted last: the Map's order is the eviction order
      this.attempts.set(key, list);
    }
    while (this.attempts.size > MAX_KEYS) this.attempts.delete(this.attempts.keys().next().value!);
    return { allowed: true, token };
  }

  /** The guarded work went well: the attempt does not count. */
  release(keys: string[], token: string): void {
    for (const key of keys) {
      const list = this.attempts.get(key);
      if (!list) continue;
      const rest = list.filter((a) => a.token !== token);
      if (rest.length > 0) this.attempts.set(key, rest);
      else this.attempts.delete(key);
    }
  }

  /** The guarded work failed (a wrong password): the attempt counts until it leaves the window. */
  fail(keys: string[], token: string): void {
    for (const key of keys) for (const attempt of this.attempts.get(key) ?? []) if (attempt.token === token) attempt.failed = true;
  }

  private live(key: string, windowMs: number, now: number): Attempt[] {
    const list = (this.attempts.get(key) ?? []).filter((a) => a.at > now - windowMs);
    if (list.length > 0) this.attempts.set(key, list);
    else this.attempts.delete(key);
    return list;
  }
}
