import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { groupBy } from '../common/collections';
import { UnitOfWork } from '../database/unit-of-work';
import { SessionDeviceEntity, SessionEntity } from './entities/session.entity';
import type { AuthenticationMethod, Session } from './session.model';

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
    await this.manager.insert(SessionEntity, toRow(session));
    if (session.devices.length > 0) {
      await this.manager.insert(
        SessionDeviceEntity,
        session.devices.map((d) => ({ ...d, sessionId: session.id })),
      );
    }
  }

  /*
   * The single-session reads (whoami, GET /admin/sessions/{id}) and every device load are plain SQL mapped by hand:
   * on those routes TypeORM's query building and hydration cost more CPU than the statements. Lists keep TypeORM.
   */

  async findById(id: string, options: { lock?: boolean } = {}): Promise<Session | null> {
    const lock = options.lock ? this.uow.sqlDialect.lockClause() : '';
    return this.findOneWhere(`id = ?${lock}`, id);
  }

  async findByTokenHash(tokenHash: string): Promise<Session | null> {
    return this.findOneWhere('token_hash = ?', tokenHash);
  }

  private async findOneWhere(where: string, value: string): Promise<Session | null> {
    const rows = await this.manager.query<SessionRow[]>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${where}`, [value]);
    if (rows.length === 0) return null;
    const time = (v: unknown) => this.uow.sqlDialect.readTimestamp(v);
    const [r] = rows;
    const entity: SessionEntity = {
      id: r.id,
      identityId: r.identity_id,
      tokenHash: r.token_hash,
      active: Boolean(Number(r.active)),
      expiresAt: time(r.expires_at),
      authenticatedAt: time(r.authenticated_at),
      issuedAt: time(r.issued_at),
      aal: r.aal,
      authenticationMethods: r.authentication_methods,
      createdAt: time(r.created_at),
      updatedAt: time(r.updated_at),
    };
    return (await this.hydrate([entity]))[0];
  }

  /** Keyset page in id order. */
  async listAfter(afterId: string, limit: number, filter: SessionFilter, now: Date): Promise<Session[]> {
    const rows = await this.filtered(filter, now).andWhere('s.id > :afterId', { afterId }).orderBy('s.id', 'ASC').limit(limit).getMany();
    return this.hydrate(rows);
  }

  /** Offset page, newest authentication first (the order of Kratos's identity-session list). */
  async listOffset(offset: number, limit: number, filter: SessionFilter, now: Date): Promise<Session[]> {
    const rows = await this.filtered(filter, now).orderBy('s.authenticated_at', 'DESC').addOrderBy('s.id', 'ASC').offset(offset).limit(limit).getMany();
    return this.hydrate(rows);
  }

  async count(filter: SessionFilter, now: Date): Promise<number> {
    return this.filtered(filter, now).getCount();
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
    let query = this.manager.createQueryBuilder(SessionEntity, 's').where('s.id IN (:...ids)', { ids });
    query = this.uow.sqlDialect.lockForUpdate(query);
    return this.hydrate(await query.getMany());
  }

  /** Sessions of an identity, for revocation; locked for the calling transaction on MySQL. */
  async findByIdentity(identityId: string): Promise<Session[]> {
    let query = this.manager.createQueryBuilder(SessionEntity, 's').where('s.identity_id = :identityId', { identityId });
    query = this.uow.sqlDialect.lockForUpdate(query);
    return this.hydrate(await query.getMany());
  }

  async deleteByIds(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.manager.delete(SessionEntity, { id: In(ids) });
    return result.affected ?? ids.length;
  }

  private filtered(filter: SessionFilter, now: Date): SelectQueryBuilder<SessionEntity> {
    let query = this.manager.createQueryBuilder(SessionEntity, 's').where('1 = 1');
    if (filter.identityId) query = query.andWhere('s.identity_id = :identityId', { identityId: filter.identityId });
    if (filter.active === true) query = query.andWhere('s.active = :yes AND s.expires_at > :now', { yes: true, now });
    if (filter.active === false) {
      query = query.andWhere(new Brackets((b) => b.where('s.active = :no', { no: false }).orWhere('s.expires_at <= :now', { now })));
    }
    return query;
  }

  private async hydrate(rows: SessionEntity[]): Promise<Session[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const devices = await this.manager.query<DeviceRow[]>(
      `SELECT id, session_id, ip_address, user_agent, location, created_at, updated_at FROM session_devices WHERE session_id IN (${ids.map(() => '?').join(', ')}) ORDER BY created_at, id`,
      ids,
    );
    const time = (v: unknown) => this.uow.sqlDialect.readTimestamp(v);
    const devicesBySession = groupBy(
      devices,
      (d) => d.session_id,
      (d) => ({
        id: d.id,
        ipAddress: d.ip_address,
        userAgent: d.user_agent,
        location: d.location,
        createdAt: time(d.created_at),
        updatedAt: time(d.updated_at),
      }),
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

const SESSION_COLUMNS = 'id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, aal, authentication_methods, created_at, updated_at';

/** Rows of the raw reads, as the drivers return them (timestamps are mapped through the dialect). */
interface SessionRow {
  id: string;
  identity_id: string;
  token_hash: string;
  active: number | boolean;
  expires_at: unknown;
  authenticated_at: unknown;
  issued_at: unknown;
  aal: string;
  authentication_methods: string;
  created_at: unknown;
  updated_at: unknown;
}

interface DeviceRow {
  id: string;
  session_id: string;
  ip_address: string | null;
  user_agent: string | null;
  location: string | null;
  created_at: unknown;
  updated_at: unknown;
}
