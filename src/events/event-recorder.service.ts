import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { currentTraceparent } from '../common/http/request-context';
import { UnitOfWork } from '../database/unit-of-work';
import { DomainEvent, toCloudEvent } from './cloud-event';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

/**
 * How services record domain events: inside their own `UnitOfWork.run`, so the events commit or roll back
 * with the change they describe. The relay is nudged once the transaction commits.
 */
@Injectable()
export class EventRecorderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelayService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Only catalogued types, each with its own payload type (see EventPayloads); build payloads with the aggregate's *.events.ts. */
  async record(...events: DomainEvent[]): Promise<void> {
    if (!this.uow.inTransaction()) {
      throw new Error('EventRecorderService.record() must run inside UnitOfWork.run(), in the transaction of the change');
    }
    if (events.length === 0) return;
    const now = new Date();
    const traceparent = currentTraceparent();
    await this.outbox.insert(events.map((e) => ({ ...toCloudEvent(e, this.config.events.source, now), ...(traceparent ? { traceparent } : {}) })));
    this.uow.afterCommit(() => this.relay.nudge());
  }
}
