import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { createRedisConnection, REDIS_CONNECTION } from './event-publisher';

/** The one Redis connection the event queues share (BullMQ's root config and the publisher both inject it). */
@Module({
  providers: [{ provide: REDIS_CONNECTION, inject: [APP_CONFIG], useFactory: createRedisConnection }],
  exports: [REDIS_CONNECTION],
})
export class RedisConnectionModule {}
