/**
 * Sliding-window attempt counting: a key may take at most `limit` attempts in any `windowMs`. Attempts are taken
 * before the work they guard (so concurrent guesses each use one up) and given back when they turn out to be fine
 * (a correct password), so only failures count against the limit.
 *
 * This is the in-process form, used while Redis is unreachable; `ACQUIRE` in attempt-throttle.service.ts is the same
 * algorithm in Redis, which all replicas share.
 */
export interface WindowLimit {
  key: string;
  limit: number;
}

/** Either the attempt was taken (give it back with its `token` if it succeeds), or how long to wait before the next. */
export type Acquired = { allowed: true; token: string } | { allowed: false; retryAfterMs: number };

/** Bounds the memory a flood of distinct keys (random identifiers, spoofed addresses) can take in one process. */
const MAX_KEYS = 100_000;

export class InMemorySlidingWindow {
  private readonly attempts = new Map<string, Array<{ at: number; token: string }>>();
  private sequence = 0;

  acquire(limits: WindowLimit[], windowMs: number, now = Date.now()): Acquired {
    let retryAfterMs = 0;
    for (const { key, limit } of limits) {
      const list = this.live(key, windowMs, now);
      if (list.length >= limit) retryAfterMs = Math.max(retryAfterMs, list[list.length - limit].at + windowMs - now);
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    const token = `${now}-${++this.sequence}`;
    for (const { key } of limits) {
      const list = this.attempts.get(key) ?? [];
      list.push({ at: now, token });
      this.attempts.delete(key); // re-inserted last: the Map's order is the eviction order
      this.attempts.set(key, list);
    }
    while (this.attempts.size > MAX_KEYS) this.attempts.delete(this.attempts.keys().next().value!);
    return { allowed: true, token };
  }

  release(keys: string[], token: string): void {
    for (const key of keys) {
      const list = this.attempts.get(key);
      if (!list) continue;
      const rest = list.filter((a) => a.token !== token);
      if (rest.length > 0) this.attempts.set(key, rest);
      else this.attempts.delete(key);
    }
  }

  private live(key: string, windowMs: number, now: number): Array<{ at: number; token: string }> {
    const list = (this.attempts.get(key) ?? []).filter((a) => a.at > now - windowMs);
    if (list.length > 0) this.attempts.set(key, list);
    else this.attempts.delete(key);
    return list;
  }
}
