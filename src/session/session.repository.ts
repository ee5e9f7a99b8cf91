import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { groupBy } from '../common/collections';
import { bulkInsert } from '../database/bulk-insert';
import { selectEntities } from '../database/entity-rows';
import { placeholders } from '../database/placeholders';
import { UnitOfWork } from '../database/unit-of-work';
import { SessionDeviceEntity, SessionEntity } from './entities/session.entity';
import type { AuthenticationMethod, Session } from './session.model';
import { runSql } from '../database/run-sql';

export interface SessionFilter {
  identityId?: string;
  /** true: usable (active flag and not expired); false: revoked or expired; undefined: all. */
  active?: boolean;
}

interface StoredMethod {
  method: string;
  aal: AuthenticationMethod['aal'];
  completed_at: string;
  provider?: string;
}

/** The only code that reads and writes sessions and their devices. */
@Injectable()
export class SessionRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get manager(): EntityManager {
    return this.uow.manager();
  }

  async insert(session: Session): Promise<void> {
    await bulkInsert(this.manager, this.uow.sqlDialect, SessionEntity, [toRow(session)]);
    await bulkInsert(
      this.manager,
      this.uow.sqlDialect,
      SessionDeviceEntity,
      session.devices.map((d) => ({ ...d, sessionId: session.id })),
    );
  }

  /*
   * Reads are plain SQL through entity-rows.ts: on whoami and the admin session routes TypeORM's query building and
   * hydration cost more CPU than the statements. Placeholders are `?`, IN lists are spelled out.
   */

  async findById(id: string, options: { lock?: boolean } = {}): Promise<Session | null> {
    const lock = options.lock ? this.uow.sqlDialect.lockClause() : '';
    return this.findOneWhere(`id = ?${lock}`, id);
  }

  async findByTokenHash(tokenHash: string): Promise<Session | null> {
    return this.findOneWhere('token_hash = ?', tokenHash);
  }

  private async findOneWhere(where: string, value: string): Promise<Session | null> {
    const [session] = await this.select(`WHERE ${where}`, [value]);
    return session ?? null;
  }

  /** Sessions (with their devices) of `SELECT … FROM sessions <clause>`. */
  private async select(clause: string, params: unknown[]): Promise<Session[]> {
    return this.hydrate(await selectEntities(this.manager, this.uow.sqlDialect, SessionEntity, clause, params));
  }

  /** Keyset page in id order. */
  async listAfter(afterId: string, limit: number, filter: SessionFilter, now: Date): Promise<Session[]> {
    const where = filtered(filter, now);
    return this.select(`WHERE ${where.sql} AND id > ? ORDER BY id LIMIT ?`, [...where.params, afterId, limit]);
  }

  /** Offset page, newest authentication first (the order of Kratos's identity-session list). */
  async listOffset(offset: number, limit: number, filter: SessionFilter, now: Date): Promise<Session[]> {
    const where = filtered(filter, now);
    return this.select(`WHERE ${where.sql} ORDER BY authenticated_at DESC, id ASC LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
  }

  async count(filter: SessionFilter, now: Date): Promise<number> {
    const dialect = this.uow.sqlDialect;
    const where = filtered(filter, now);
    const [row] = await runSql<Array<{ n: number | string }>>(
      this.manager,
      `SELECT COUNT(*) AS n FROM sessions WHERE ${where.sql}`,
      where.params.map((p) => dialect.writeValue(p)),
    );
    return Number(row.n);
  }

  async updateExpiry(id: string, expiresAt: Date, now: Date): Promise<void> {
    await this.manager.update(SessionEntity, { id }, { expiresAt, updatedAt: now });
  }

  /** Sets `active=false` on the given sessions. */
  async deactivate(ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.manager.update(SessionEntity, { id: In(ids) }, { active: false, updatedAt: now });
  }

  /** Sessions by id, locked for the calling transaction on MySQL (revocation re-reads under the lock). */
  async findByIdsForUpdate(ids: string[]): Promise<Session[]> {
    if (ids.length === 0) return [];
    return this.select(`WHERE id IN (${placeholders(ids)})${this.uow.sqlDialect.lockClause()}`, ids);
  }

  /** Sessions of an identity, for revocation; locked for the calling transaction on MySQL. */
  async findByIdentity(identityId: string): Promise<Session[]> {
    return this.select(`WHERE identity_id = ?${this.uow.sqlDialect.lockClause()}`, [identityId]);
  }

  async deleteByIds(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.manager.delete(SessionEntity, { id: In(ids) });
    return result.affected ?? ids.length;
  }

  private async hydrate(rows: SessionEntity[]): Promise<Session[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const devices = await selectEntities(
      this.manager,
      this.uow.sqlDialect,
      SessionDeviceEntity,
      `WHERE session_id IN (${placeholders(ids)}) ORDER BY created_at, id`,
      ids,
    );
    const devicesBySession = groupBy(
      devices,
      (d) => d.sessionId,
      ({ sessionId: _, ...device }) => device,
    );
    return rows.map((r) => ({
      id: r.id,
      identityId: r.identityId,
      tokenHash: r.tokenHash,
      active: Boolean(r.active),
      expiresAt: r.expiresAt,
      authenticatedAt: r.authenticatedAt,
      issuedAt: r.issuedAt,
      aal: r.aal as Session['aal'],
      authenticationMethods: (JSON.parse(r.authenticationMethods) as StoredMethod[]).map((m) => ({
        method: m.method,
        aal: m.aal,
        completedAt: new Date(m.completed_at),
        ...(m.provider ? { provider: m.provider } : {}),
      })),
      devices: devicesBySession.get(r.id) ?? [],
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }
}

/** The WHERE clause of a session filter, with its parameters (the caller maps them through the dialect). */
function filtered(filter: SessionFilter, now: Date): { sql: string; params: unknown[] } {
  const clauses = ['1 = 1'];
  const params: unknown[] = [];
  if (filter.identityId) {
    clauses.push('identity_id = ?');
    params.push(filter.identityId);
  }
  if (filter.active === true) {
    clauses.push('active = ? AND expires_at > ?');
    params.push(true, now);
  }
  if (filter.active === false) {
    clauses.push('(active = ? OR expires_at <= ?)');
    params.push(false, now);
  }
  return { sql: clauses.join(' AND '), params };
}

function toRow(session: Session): SessionEntity {
  return {
    id: session.id,
    identityId: session.identityId,
    tokenHash: session.tokenHash,
    active: session.active,
    expiresAt: session.expiresAt,
    authenticatedAt: session.authenticatedAt,
    issuedAt: session.issuedAt,
    aal: session.aal,
    authenticationMethods: JSON.stringify(
      session.authenticationMethods.map((m) => ({
        method: m.method,
        aal: m.aal,
        completed_at: m.completedAt.toISOString(),
        ...(m.provider ? { provider: m.provider } : {}),
      })),
    ),
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}
