import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

/** redis://user:secret@host → redis://user:***@host, for logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/**
 * The connection the event publisher uses. Commands fail at once while Redis is down (no offline queue), so a
 * relay never waits on Redis while it holds outbox rows; ioredis keeps reconnecting in the background.
 * Redis is optional at start: the first failure is logged once, and so is the recovery.
 */
export function createRedisConnection(url: string, logger: Logger): IORedis {
  const redis = new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 10_000,
    retryStrategy: (times) => Math.min(250 * times, 5_000),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(`Redis unreachable at ${redactRedisUrl(url)} (${err.message}); events wait in the outbox until it is back`);
  });
  redis.on('ready', () => {
    if (down) logger.log(`Redis reachable again at ${redactRedisUrl(url)}`);
    else logger.log(`Redis connected at ${redactRedisUrl(url)}`);
    down = false;
  });
  return redis;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CONNECTION,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisConnection(config.redis.url, new Logger('Redis')),
    },
  ],
  exports: [REDIS_CONNECTION],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: IORedis) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    try {
      await Promise.race([this.redis.quit(), new Promise((r) => setTimeout(r, 1_000))]);
    } catch {
      // already closing or never connected
    }
    this.redis.disconnect();
  }
}
