import { Injectable } from '@nestjs/common';
import { DatabaseProbe } from '../database/database-probe';
import { OutboxRelay, RelayStatus } from '../events/outbox-relay.service';

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable' | 'migrations pending';
  redis: 'up' | 'down';
  relay: RelayStatus & { backlog?: number };
}

/** Ready means: the database answers and is migrated. Redis is reported but not required (events wait in the outbox). */
@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseProbe,
    private readonly relay: OutboxRelay,
  ) {}

  async readiness(): Promise<Readiness> {
    let database: Readiness['database'] = 'ok';
    try {
      await this.database.ping();
      if (await this.database.hasPendingMigrations()) database = 'migrations pending';
    } catch {
      database = 'unreachable';
    }
    const relay = this.relay.status();
    const backlog = database === 'ok' ? await this.relay.backlog().catch(() => undefined) : undefined;
    return { ready: database === 'ok', database, redis: relay.redis, relay: { ...relay, ...(backlog !== undefined ? { backlog } : {}) } };
  }
}
