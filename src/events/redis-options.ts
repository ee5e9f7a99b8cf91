import IORedis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/app-config';

/** The service's Redis connection: one node or a Sentinel-managed master (IORedis), or a Redis Cluster. */
export type RedisConnection = IORedis | Cluster;

/** redis://user:secret@host → redis://user:***@host, for logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** Where the connection goes, for logs: the URL without its password, or the nodes or sentinels. */
export function describeRedis(redis: RedisConfig): string {
  if (redis.mode === 'cluster') return `Redis Cluster ${redis.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (redis.mode === 'sentinel') return `Redis master "${redis.masterName}" via sentinels ${redis.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return redactRedisUrl(redis.url);
}

/**
 * ioredis options of every connection to a data node. Commands fail at once while Redis is down (no offline queue),
 * so a relay never waits on Redis while it holds outbox rows; ioredis keeps reconnecting in the background.
 * RESP2 (`protocol: 2`): ioredis 6 speaks RESP3 by default, but BullMQ is tested on RESP2, and proxies in front of
 * managed Redis do not all understand the HELLO handshake.
 */
const NODE_OPTIONS: RedisOptions = {
  protocol: 2,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  commandTimeout: 10_000,
  retryStrategy: (times: number) => Math.min(250 * times, 5_000),
};

/** ioredis options for one node given by its URL (credentials, TLS with rediss://, database number). */
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
    ...NODE_OPTIONS,
  };
}

function credentials(redis: RedisConfig): RedisOptions {
  return {
    ...(redis.username ? { username: redis.username } : {}),
    ...(redis.password ? { password: redis.password } : {}),
    ...(redis.tls ? { tls: {} } : {}),
  };
}

/** The connection for the configured topology. */
export function createRedis(redis: RedisConfig): RedisConnection {
  if (redis.mode === 'cluster') {
    const options: ClusterOptions = {
      redisOptions: { ...NODE_OPTIONS, ...credentials(redis) },
      enableOfflineQueue: false,
      maxRedirections: 16,
      // A failover moves slots: retry briefly on CLUSTERDOWN/TRYAGAIN instead of failing the batch at once.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      clusterRetryStrategy: (times: number) => Math.min(250 * times, 5_000),
      slotsRefreshTimeout: 2_000,
    };
    return new Cluster(redis.nodes, options);
  }
  if (redis.mode === 'sentinel') {
    return new IORedis({
      ...NODE_OPTIONS,
      ...credentials(redis),
      sentinels: redis.sentinels,
      name: redis.masterName,
      ...(redis.sentinelPassword ? { sentinelPassword: redis.sentinelPassword } : {}),
      ...(redis.tls ? { enableTLSForSentinelMode: true } : {}),
      sentinelRetryStrategy: (times: number) => Math.min(250 * times, 5_000),
    });
  }
  return new IORedis(redisConnectionOptions(redis.url));
}
