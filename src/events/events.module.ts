import { DynamicModule, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import type { Queue } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EVENT_QUEUES, EventPublisher, REDIS_CONNECTION } from './event-publisher';
import { RedisConnectionModule } from './redis-connection.module';
import { EventMetrics } from './event-metrics';
import { EventRecorderService } from './event-recorder.service';
import { OutboxEventEntity } from './outbox-event.entity';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';
import type { RedisConnection } from './redis-options';

/** Outbox, relay and BullMQ queues. Any module that changes data imports this to record its events. */
@Module({})
export class EventsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const queueNames = [config.events.queue, ...config.events.subscribers.map((s) => s.queue)];
    return {
      module: EventsModule,
      global: true,
      imports: [
        DatabaseModule,
        RedisConnectionModule,
        TypeOrmModule.forFeature([OutboxEventEntity]),
        BullModule.forRootAsync({
          imports: [RedisConnectionModule],
          inject: [APP_CONFIG, REDIS_CONNECTION],
          useFactory: (cfg: AppConfig, connection: RedisConnection) => ({
            connection,
            prefix: cfg.events.queuePrefix,
            defaultJobOptions: {
              attempts: cfg.events.jobAttempts,
              backoff: { type: 'exponential', delay: 1_000 },
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
        OutboxRelayService,
        EventPublisher,
        EventRecorderService,
        EventMetrics,
        {
          provide: EVENT_QUEUES,
          inject: queueNames.map((name) => getQueueToken(name)),
          useFactory: (...queues: Queue[]) => queues,
        },
      ],
      exports: [EventRecorderService, OutboxRelayService, EventPublisher, EVENT_QUEUES],
    };
  }
}
