import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { CloudEvent } from './cloud-event';
import { REDIS_CONNECTION } from './redis.module';

export const EVENT_QUEUES = Symbol('EVENT_QUEUES');

/** Puts events on every event queue as BullMQ jobs: job name = event type, job id = event id (deduplicates replays). */
@Injectable()
export class EventPublisher {
  constructor(
    @Inject(EVENT_QUEUES) private readonly queues: Queue[],
    @Inject(REDIS_CONNECTION) private readonly redis: IORedis,
  ) {}

  isReady(): boolean {
    return this.redis.status === 'ready';
  }

  get queueNames(): string[] {
    return this.queues.map((q) => q.name);
  }

  async publish(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const jobs = events.map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } }));
    await Promise.all(this.queues.map((queue) => queue.addBulk(jobs)));
  }
}
