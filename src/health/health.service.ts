import { Injectable } from '@nestjs/common';
import { DatabaseProbe } from '../database/database-probe';
import { OutboxRelayService, RelayStatus } from '../events/outbox-relay.service';
import { withTimeout } from '../common/async/with-timeout';
import { LifecycleState } from '../lifecycle/lifecycle-state';

/** A probe that waits longer than this for the database counts it as unreachable (a frozen server answers nothing). */
const PROBE_TIMEOUT_MS = 2_000;

export interface Readiness {
  ready: boolean;
  /** `stopping`: the process received SIGTERM and drains; a load balancer should send nothing new. */
  process: 'serving' | 'stopping';
  database: 'ok' | 'unreachable' | 'migrations pending';
  redis: 'up' | 'down';
  relay: RelayStatus & { backlog?: number };
}

/** Ready means: the database answers and is migrated. Redis is reported but not required (events wait in the outbox). */
@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseProbe,
    private readonly relay: OutboxRelayService,
    private readonly lifecycle: LifecycleState,
  ) {}

  async readiness(): Promise<Readiness> {
    const process: Readiness['process'] = this.lifecycle.accepting ? 'serving' : 'stopping';
    const database = await withTimeout(this.databaseState(), PROBE_TIMEOUT_MS, 'unreachable' as const);
    const relay = this.relay.status();
    const backlog =
      database === 'ok'
        ? await withTimeout(
            this.relay.backlog().catch(() => undefined),
            PROBE_TIMEOUT_MS,
            undefined,
          )
        : undefined;
    return {
      ready: database === 'ok' && process === 'serving',
      process,
      database,
      redis: relay.redis,
      relay: { ...relay, ...(backlog !== undefined ? { backlog } : {}) },
    };
  }

  private async databaseState(): Promise<Readiness['database']> {
    try {
      await this.database.ping();
      return (await this.database.hasPendingMigrations()) ? 'migrations pending' : 'ok';
    } catch {
      return 'unreachable';
    }
  }
}
