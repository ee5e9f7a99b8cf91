import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { randomString, sha256Hex } from '../common/crypto/random-string';
import { UnitOfWork } from '../database/unit-of-work';
import { EventRecorderService } from '../events/event-recorder.service';
import { sessionCreatedData, sessionRevokedData } from './session.events';
import { assuranceLevel, AuthenticationMethod, isLive, Session } from './session.model';
import { SessionRepository } from './session.repository';
import { Clock } from '../common/time/clock';

/** Where a session was issued: taken from the request. */
export interface DeviceInfo {
  ipAddress: string | null;
  userAgent: string | null;
  location: string | null;
}

/** Why a session stopped being usable; carried in `session.revoked` events. */
export type RevocationReason = 'admin' | 'logout' | 'identity_deactivated' | 'identity_deleted' | 'identity_sessions_deleted';

export const SESSION_TOKEN_PREFIX = 'ory_st_';

export function hashSessionToken(token: string): string {
  return sha256Hex(token);
}

/**
 * Issues and ends sessions, and records their events. It depends on nothing identity-specific: deactivation and
 * deletion reach it through IdentitySessionsListener.
 */
@Injectable()
export class SessionLifecycleService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly uow: UnitOfWork,
    private readonly events: EventRecorderService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get lifespanMs(): number {
    return this.config.session.lifespanMs;
  }

  /** Creates a session inside the caller's transaction; the token is returned once and stored only as a hash. */
  async issue(identityId: string, methods: AuthenticationMethod[], device: DeviceInfo, now = this.clock.now()): Promise<{ session: Session; token: string }> {
    const token = `${SESSION_TOKEN_PREFIX}${randomString(32)}`;
    const session: Session = {
      id: randomUUID(),
      identityId,
      tokenHash: hashSessionToken(token),
      active: true,
      expiresAt: new Date(now.getTime() + this.config.session.lifespanMs),
      authenticatedAt: now,
      issuedAt: now,
      aal: assuranceLevel(methods),
      authenticationMethods: methods,
      devices: [{ id: randomUUID(), ...device, createdAt: now, updatedAt: now }],
      createdAt: now,
      updatedAt: now,
    };
    await this.uow.run(async () => {
      await this.sessions.insert(session);
      await this.events.record({ type: 'session.created', subject: session.id, data: sessionCreatedData(session) });
    });
    return { session, token };
  }

  async findByToken(token: string): Promise<Session | null> {
    if (!token) return null;
    return this.sessions.findByTokenHash(hashSessionToken(token));
  }

  /**
   * Deactivates sessions (idempotent); a `session.revoked` event for each one that was still usable. The sessions are
   * re-read under a lock, so two concurrent revocations (logout racing an admin disable) record one event, not two.
   */
  async revoke(sessions: Session[], reason: RevocationReason, now = this.clock.now()): Promise<void> {
    await this.uow.run(async () => {
      const current = await this.sessions.findByIdsForUpdate(sessions.map((s) => s.id));
      await this.sessions.deactivate(
        current.filter((s) => s.active).map((s) => s.id),
        now,
      );
      await this.recordRevoked(
        current.filter((s) => isLive(s, now)),
        reason,
      );
    });
  }

  /** Ends every session of an identity: deactivated, or deleted when `remove` (their events are recorded first). */
  async revokeAllForIdentity(identityId: string, reason: RevocationReason, options: { remove?: boolean } = {}): Promise<Session[]> {
    return this.uow.run(async () => {
      const now = this.clock.now();
      const sessions = await this.sessions.findByIdentity(identityId);
      if (options.remove) await this.sessions.deleteByIds(sessions.map((s) => s.id));
      else
        await this.sessions.deactivate(
          sessions.filter((s) => s.active).map((s) => s.id),
          now,
        );
      await this.recordRevoked(
        sessions.filter((s) => isLive(s, now)),
        reason,
      );
      return sessions;
    });
  }

  private async recordRevoked(sessions: Session[], reason: RevocationReason): Promise<void> {
    await this.events.record(...sessions.map((s) => ({ type: 'session.revoked' as const, subject: s.id, data: sessionRevokedData(s, reason) })));
  }
}
