import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import '@fastify/cookie';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiError } from '../common/errors/api-error';
import { queryValues as values } from '../common/http/query-values';
import { parseKeysetRequest } from '../common/pagination/keyset-pagination';
import { parsePageRequest } from '../common/pagination/page-pagination';
import { keysetPageHeaders, pagePageHeaders, PaginationHeaders } from '../common/pagination/pagination-headers';
import { UnitOfWork } from '../database/unit-of-work';
import { EventRecorderService } from '../events/event-recorder.service';
import { IdentityReader } from '../identity/identity-reader';
import { PUBLIC_VIEW } from '../identity/identity.mapper';
import type { Identity } from '../identity/identity.model';
import type { SessionResponse } from './dto/session.response';
import { SessionLifecycleService } from './session-lifecycle.service';
import { toSessionJson } from './session.mapper';
import { sessionExtendedData } from './session.events';
import { isLive, Session } from './session.model';
import { SessionFilter, SessionRepository } from './session.repository';
import { readSessionCookie } from './session-cookie';
import { Clock } from '../common/time/clock';

export interface Expand {
  identity: boolean;
  devices: boolean;
}

type Query = Record<string, unknown>;

/** `expand=identity|devices`, repeatable and case-insensitive, as Kratos parses it. */
export function parseExpand(raw: unknown): Expand {
  const expand: Expand = { identity: false, devices: false };
  for (const value of values(raw)) {
    const v = value.toLowerCase();
    if (v === 'identity') expand.identity = true;
    else if (v === 'devices') expand.devices = true;
    else throw ApiError.badRequest(`Could not parse expand option: ${value}`);
  }
  return expand;
}

/** Go's strconv.ParseBool, which Kratos uses for `active`. */
export function parseActive(raw: unknown): boolean | undefined {
  const value = values(raw)[0];
  if (value === undefined || value === '') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new ApiError(400, { message: 'could not parse parameter active' });
}

export const SESSION_LIST_LIMITS = { defaultSize: 250, maxSize: 1000 };

/** Kratos's answer to a missing, expired or revoked session, or one whose identity is inactive. */
export function noValidSession(): ApiError {
  return ApiError.unauthorized('No valid session credentials found in the request.');
}

/** The admin session API and whoami. */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly lifecycle: SessionLifecycleService,
    private readonly identities: IdentityReader,
    private readonly uow: UnitOfWork,
    private readonly events: EventRecorderService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The session token of a request: `X-Session-Token`, then the session cookie, then `Authorization: Bearer`. */
  tokenOf(request: FastifyRequest): string | undefined {
    const header = request.headers['x-session-token'];
    if (typeof header === 'string' && header) return header;
    const cookie = readSessionCookie(request, this.config);
    if (cookie) return cookie;
    const match = /^bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    return match ? match[1].trim() : undefined;
  }

  /** The live session of a request and its active identity, or Kratos's 401. */
  async authenticate(request: FastifyRequest): Promise<{ session: Session; identity: Identity }> {
    const token = this.tokenOf(request);
    const session = token ? await this.lifecycle.findByToken(token) : null;
    if (!session || !isLive(session, this.clock.now())) throw noValidSession();
    const identity = await this.identities.findById(session.identityId, { credentials: false });
    if (!identity || identity.state !== 'active') throw noValidSession();
    return { session, identity };
  }

  /** The session as whoami and the login answer show it: public identity, devices listed. */
  publicJson(session: Session, identity: Identity): SessionResponse {
    return toSessionJson(
      session,
      { identity: this.identities.toJson(identity, PUBLIC_VIEW), identityActive: identity.state === 'active', devices: 'list' },
      this.clock.now(),
    );
  }

  /** DELETE /self-service/logout/api: revokes the session of a token (204 also when it was already revoked). */
  async logout(body: unknown): Promise<void> {
    if (body === undefined || body === null) {
      throw ApiError.badRequest('Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero.');
    }
    const token = (body as { session_token?: unknown }).session_token;
    const session = typeof token === 'string' && token ? await this.lifecycle.findByToken(token) : null;
    if (!session) throw ApiError.forbidden('The provided Ory Session Token could not be found, is invalid, or otherwise malformed.');
    await this.lifecycle.revoke([session], 'logout');
  }

  /** GET /admin/sessions: keyset pages in id order. */
  async list(query: Query, requestUrl: string): Promise<{ items: SessionResponse[]; headers: PaginationHeaders }> {
    const expand = parseExpand(query.expand);
    const active = parseActive(query.active);
    const size = values(query.page_size)[0];
    if (size !== undefined && size !== '' && !/^[+-]?\d+$/.test(size)) throw new ApiError(400, { message: 'could not parse parameter page_size' });
    const page = parseKeysetRequest(query, SESSION_LIST_LIMITS);
    const now = this.clock.now();
    const rows = await this.sessions.listAfter(page.token, page.size + 1, { active }, now);
    const sessions = rows.slice(0, page.size);
    const next = rows.length > page.size ? sessions[sessions.length - 1].id : undefined;
    return { items: await this.adminJson(sessions, expand, 'null'), headers: keysetPageHeaders(requestUrl, page.size, next) };
  }

  async get(id: string, expandRaw: unknown): Promise<SessionResponse> {
    const expand = parseExpand(expandRaw);
    const session = await this.sessions.findById(id);
    if (!session) throw ApiError.noRows();
    return (await this.adminJson([session], expand, 'empty'))[0];
  }

  /** PATCH /admin/sessions/{id}/extend: `expires_at` = now + lifespan, whatever the session's state (as Kratos). */
  async extend(id: string): Promise<SessionResponse> {
    const session = await this.uow.run(async () => {
      const found = await this.sessions.findById(id, { lock: true });
      if (!found) throw ApiError.noRows();
      const now = this.clock.now();
      const extended: Session = { ...found, expiresAt: new Date(now.getTime() + this.lifecycle.lifespanMs), updatedAt: now };
      await this.sessions.updateExpiry(id, extended.expiresAt, now);
      await this.events.record({ type: 'session.extended', subject: id, data: sessionExtendedData(extended, found.expiresAt) });
      return extended;
    });
    return (await this.adminJson([session], { identity: true, devices: true }, 'empty'))[0];
  }

  /** DELETE /admin/sessions/{id}: deactivates (the session stays listed, inactive). */
  async disable(id: string): Promise<void> {
    await this.uow.run(async () => {
      const session = await this.sessions.findById(id, { lock: true });
      if (!session) throw ApiError.noRows();
      await this.lifecycle.revoke([session], 'admin');
    });
  }

  /** GET /admin/identities/{id}/sessions: 0-based pages (without Kratos's off-by-one), identity and devices expanded. */
  async listForIdentity(identityId: string, query: Query, requestUrl: string): Promise<{ items: SessionResponse[]; headers: PaginationHeaders }> {
    const active = parseActive(query.active);
    const page = parsePageRequest({ page: values(query.page)[0], per_page: values(query.per_page)[0] });
    const filter: SessionFilter = { identityId, active };
    const now = this.clock.now();
    const [sessions, total] = await Promise.all([
      this.sessions.listOffset(page.page * page.perPage, page.perPage, filter, now),
      this.sessions.count(filter, now),
    ]);
    return {
      items: await this.adminJson(sessions, { identity: true, devices: true }, 'empty'),
      headers: pagePageHeaders(requestUrl, page, total),
    };
  }

  /** DELETE /admin/identities/{id}/sessions: hard delete; 404 when there was nothing to delete (as Kratos). */
  async deleteForIdentity(identityId: string): Promise<void> {
    const deleted = await this.lifecycle.revokeAllForIdentity(identityId, 'identity_sessions_deleted', { remove: true });
    if (deleted.length === 0) throw ApiError.noRows();
  }

  /** Admin form: the identity (when expanded) with admin metadata and without credentials. */
  private async adminJson(sessions: Session[], expand: Expand, unexpandedDevices: 'null' | 'empty'): Promise<SessionResponse[]> {
    const identities = expand.identity ? await this.identities.findByIds(sessions.map((s) => s.identityId)) : [];
    const byId = new Map(identities.map((i) => [i.id, i]));
    const now = this.clock.now();
    return sessions.map((session) => {
      const identity = byId.get(session.identityId);
      const json = toSessionJson(
        session,
        {
          identity: identity ? this.identities.toJson(identity, { credentials: 'omit', metadataAdmin: 'always' }) : null,
          identityActive: identity ? identity.state === 'active' : undefined,
          devices: expand.devices ? 'list' : 'null',
        },
        now,
      );
      if (!expand.devices && unexpandedDevices === 'empty') json.devices = [];
      return json;
    });
  }
}
