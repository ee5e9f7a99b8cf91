import { DynamicModule, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EVENT_QUEUES, EventPublisher } from './event-publisher';
import { EventRecorder } from './event-recorder.service';
import { OutboxEventEntity } from './outbox-event.entity';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';
import { REDIS_CONNECTION, RedisModule } from './redis.module';

/** Outbox, relay and BullMQ queues. Any module that changes data imports this to record its events. */
@Module({})
export class EventsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const queueNames = [config.events.queue];
    return {
      module: EventsModule,
      global: true,
      imports: [
        RedisModule,
        TypeOrmModule.forFeature([OutboxEventEntity]),
        BullModule.forRootAsync({
          inject: [REDIS_CONNECTION, APP_CONFIG],
          useFactory: (connection: IORedis, cfg: AppConfig) => ({
            connection,
            defaultJobOptions: {
              // Completed jobs are kept this long; it bounds how long a replayed jobId is recognised and dropped.
              removeOnComplete: { age: cfg.events.keepCompletedSeconds },
              removeOnFail: { age: cfg.events.keepCompletedSeconds },
            },
          }),
        }),
        BullModule.registerQueue(...queueNames.map((name) => ({ name }))),
      ],
      providers: [
        OutboxRepository,
        OutboxRelay,
        EventPublisher,
        EventRecorder,
        {
          provide: EVENT_QUEUES,
          inject: queueNames.map((name) => getQueueToken(name)),
          useFactory: (...queues: Queue[]) => {
            // Connection errors are logged once by the Redis module; without a listener they would crash the process.
            for (const queue of queues) queue.on('error', () => undefined);
            return queues;
          },
        },
      ],
      exports: [EventRecorder, OutboxRelay, EventPublisher],
    };
  }
}
