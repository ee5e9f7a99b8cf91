import type { RedisOptions } from 'ioredis';

/** redis://user:secret@host → redis://user:***@host, for logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/**
 * ioredis options for the event queues. Commands fail at once while Redis is down (no offline queue), so a relay
 * never waits on Redis while it holds outbox rows; ioredis keeps reconnecting in the background.
 * RESP2 (`protocol: 2`): ioredis 6 speaks RESP3 by default, but BullMQ is tested on RESP2, and proxies in front of
 * managed Redis do not all understand the HELLO handshake.
 */
export function redisConnectionOptions(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number.parseInt(u.pathname.slice(1), 10) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isFinite(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    protocol: 2,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 10_000,
    retryStrategy: (times: number) => Math.min(250 * times, 5_000),
  };
}
