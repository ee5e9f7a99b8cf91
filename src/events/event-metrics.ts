import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../common/async/with-timeout';
import { METRICS_REGISTRY } from '../metrics/metrics.module';
import type { CloudEvent } from './cloud-event';
import { EVENT_QUEUES } from './event-publisher';
import { OutboxRepository } from './outbox.repository';

/** The event stream's metrics: outbox backlog and age, publications per type, relay errors and lag, queue depth. */
@Injectable()
export class EventMetrics {
  private readonly publishedTotal: Counter<'type'>;
  private readonly relayErrors: Counter;
  private readonly relayLag: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(EVENT_QUEUES) queues: Queue[], outbox: OutboxRepository) {
    this.publishedTotal = new Counter({
      name: 'events_published_total',
      help: 'Events published to BullMQ, by type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.relayErrors = new Counter({ name: 'event_relay_errors_total', help: 'Failed attempts to publish a batch of events', registers: [registry] });
    this.relayLag = new Histogram({
      name: 'event_relay_lag_seconds',
      help: 'Time from recording an event (in the transaction of its change) to its publication on the queue',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    });
    new Gauge({
      name: 'event_outbox_backlog',
      help: 'Committed events not yet published',
      registers: [registry],
      // While the database is unreachable or slow, the scrape still answers (with the gauge's last value), so that the outage shows.
      async collect() {
        const pending = await withTimeout(
          outbox.countPending().catch(() => undefined),
          1_000,
          undefined,
        );
        // Unknown now: the last value stays (reset() would report 0 and quieten the alerts on it).
        if (pending !== undefined) this.set(pending);
      },
    });
    new Gauge({
      name: 'event_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest event not yet published (0 when none)',
      registers: [registry],
      async collect() {
        const oldest = await withTimeout(
          outbox.oldestPendingCreatedAt().catch(() => false as const),
          1_000,
          false as const,
        );
        if (oldest !== false) this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'event_queue_jobs',
      help: 'Jobs in each event queue by state (absent while Redis is unreachable)',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of queues) {
          const counts = await withTimeout(
            queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed').catch(() => undefined),
            1_000,
            undefined,
          );
          for (const [state, count] of Object.entries(counts ?? {})) this.set({ queue: queue.name, state }, count);
        }
      },
    });
  }

  /**
   * Called by the relay once a batch is published. The lag is measured from the event's `time`, which the recorder
   * sets to the outbox row's `created_at` (both are taken when the event is recorded, just before its transaction
   * commits), so the relay needs no more than the events it already passes here.
   */
  published(events: CloudEvent[], publishedAt = Date.now()): void {
    for (const event of events) {
      this.publishedTotal.inc({ type: event.type });
      const recordedAt = Date.parse(event.time);
      if (Number.isFinite(recordedAt)) this.relayLag.observe(Math.max(0, (publishedAt - recordedAt) / 1000));
    }
  }

  relayFailed(): void {
    this.relayErrors.inc();
  }
}
