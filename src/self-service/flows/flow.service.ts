import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { ApiError, FlowResponse } from '../../common/errors/api-error';
import { UUID_PATTERN } from '../../common/http/query-values';
import { UnitOfWork } from '../../database/unit-of-work';
import { formatTime } from '../../common/time/rfc3339';
import type { DeviceInfo } from '../../session/session-lifecycle.service';
import type { UiContainer, UiNode } from '../ui/ui-node';
import { Text, type UiText } from '../ui/ui-text';
import { FlowRepository } from './flow.repository';
import type { Flow, FlowKind, FlowType } from './flow.model';
import { Clock } from '../../common/time/clock';

const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_AFTER_EXPIRY_MS = 24 * 3600_000;

export interface NewFlow {
  type?: FlowType;
  state: string;
  identityId?: string | null;
  sessionId?: string | null;
  returnTo?: string | null;
  context?: Record<string, unknown>;
  lifespanMs?: number;
}

/** What every self-service flow shares: creation, lookup with Kratos's errors, and the common JSON members. */
@Injectable()
export class FlowService {
  private readonly logger = new Logger(FlowService.name);
  private lastPruneAt = 0;

  constructor(
    private readonly flows: FlowRepository,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async create(kind: FlowKind, requestPath: string, spec: NewFlow): Promise<Flow> {
    const now = this.clock.now();
    this.pruneIfDue(now);
    const flow: Flow = {
      id: randomUUID(),
      kind,
      type: spec.type ?? 'api',
      state: spec.state,
      identityId: spec.identityId ?? null,
      sessionId: spec.sessionId ?? null,
      requestUrl: `${this.config.http.publicBaseUrl}${requestPath}`,
      returnTo: spec.returnTo ?? null,
      context: spec.context ?? {},
      submitCount: 0,
      expiresAt: new Date(now.getTime() + (spec.lifespanMs ?? this.config.selfService.flowLifespanMs)),
      issuedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    // One INSERT: autocommit makes it atomic, so no transaction of its own (it joins the caller's when there is one).
    await this.flows.insert(flow);
    return flow;
  }

  /**
   * Anyone can create flows, so expired ones are deleted in the background, at most every ten minutes per process,
   * a day after they expired (late submissions still get Kratos's 410 meanwhile).
   */
  private pruneIfDue(now: Date): void {
    if (now.getTime() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now.getTime();
    void this.uow
      .run(() => this.flows.deleteExpiredBefore(new Date(now.getTime() - PRUNE_AFTER_EXPIRY_MS), 10_000), { detached: true })
      .catch((err: unknown) => this.logger.warn(`pruning expired flows failed: ${(err as Error).message}`));
  }

  /**
   * Loads a flow of `kind` from the `flow` query parameter: 400 when it is missing or not a UUID, 404 when there is
   * no such flow; an expired flow is answered with `onExpired` (Kratos's 410 with a replacement flow).
   */
  async load(kind: FlowKind, rawId: unknown, options: { lock?: boolean } = {}): Promise<Flow> {
    if (typeof rawId !== 'string' || !UUID_PATTERN.test(rawId)) throw ApiError.badRequest('The flow query parameter is missing or malformed.');
    const flow = await this.flows.findById(rawId.toLowerCase(), options);
    if (!flow || flow.kind !== kind) throw ApiError.noRows();
    return flow;
  }

  /**
   * The one way a flow kind loads its flow: `load` (400/404), then, with `ownedBy`, Kratos's 403 when the flow belongs
   * to another identity, then, with `replacement`, Kratos's 410 pointing at the replacement flow when it expired.
   */
  async loadLive(
    kind: FlowKind,
    rawId: unknown,
    checks: { ownedBy?: string; replacement?: (expired: Flow) => Promise<Flow>; lock?: boolean } = {},
  ): Promise<Flow> {
    const flow = await this.load(kind, rawId, { lock: checks.lock });
    if (checks.ownedBy !== undefined && flow.identityId !== checks.ownedBy) {
      throw ApiError.forbidden('Access privileges are missing, invalid, or not sufficient to access this endpoint.');
    }
    if (checks.replacement && this.isExpired(flow)) throw this.expiredError(flow, await checks.replacement(flow));
    return flow;
  }

  /**
   * The one place a flow result is answered. API flows (native apps) get the JSON body as it is; browser flows will
   * be answered here too: a 303 to the flow's UI (or `return_to`) with the session cookie (see session-cookie.ts)
   * instead of JSON, once the browser endpoints exist.
   */
  respond<T extends Record<string, unknown>>(flow: Flow, body: T): T {
    // Browser flows: redirect + cookie go here. Today every flow is answered as JSON.
    void flow;
    return body;
  }

  isExpired(flow: Flow, now = this.clock.now()): boolean {
    return flow.expiresAt.getTime() <= now.getTime();
  }

  /** Kratos's 410 for an expired flow, pointing at the replacement flow the client should use. */
  expiredError(flow: Flow, replacement: Flow, now = this.clock.now()): ApiError {
    const sinceMs = now.getTime() - flow.expiresAt.getTime();
    return new ApiError(410, {
      id: 'self_service_flow_expired',
      reason: `The self-service flow expired ${(sinceMs / 60_000).toFixed(2)} minutes ago, initialize a new one.`,
      message: 'The requested resource is no longer available because it has expired or is otherwise invalid.',
      extra: { expired_at: formatTime(flow.expiresAt), since: Math.round(sinceMs * 1e6), use_flow_id: replacement.id },
    });
  }

  /**
   * A submission refused by an attempt limit: an API flow (a native app) gets the error envelope, 429 with
   * `Retry-After`; a browser flow gets its form back with the message, so that the UI can show it.
   */
  async tooManyAttempts(flow: Flow, retryAfterMs: number, flowJson: (edit: (ui: UiContainer) => void) => unknown): Promise<Error> {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    if (flow.type === 'api') return ApiError.tooManyRequests(`Too many failed attempts; try again in ${seconds} seconds.`, seconds);
    const body = await flowJson((ui) => (ui.messages = [Text.tooManyAttempts(seconds)]));
    return new FlowResponse(429, body, { 'retry-after': String(seconds) });
  }

  async save(flow: Flow): Promise<void> {
    flow.updatedAt = this.clock.now();
    await this.flows.update(flow);
  }

  /** `ui.action` of a flow: where the form posts. */
  action(kind: FlowKind, flow: Flow): string {
    return `${this.config.http.publicBaseUrl}/self-service/${kind}?flow=${flow.id}`;
  }

  /** The form of a flow: posts to the flow's action and shows the messages stored with the flow (if any). */
  ui(flow: Flow, nodes: UiNode[]): UiContainer {
    const messages = (flow.context.messages as UiText[] | undefined) ?? [];
    return { action: this.action(flow.kind, flow), method: 'POST', nodes, ...(messages.length > 0 ? { messages } : {}) };
  }

  /** id, type, expires_at, issued_at, request_url: the members every flow JSON starts with. */
  baseJson(flow: Flow, ui: UiContainer): Record<string, unknown> {
    return {
      id: flow.id,
      type: flow.type,
      expires_at: formatTime(flow.expiresAt),
      issued_at: formatTime(flow.issuedAt),
      request_url: flow.requestUrl,
      ...(flow.returnTo ? { return_to: flow.returnTo } : {}),
      ui: { ...ui, ...(ui.messages && ui.messages.length > 0 ? { messages: ui.messages } : { messages: undefined }) },
    };
  }
}

/** What the session_devices columns hold; device details are informational, so longer values are cut, not refused. */
const DEVICE_LIMITS = { ipAddress: 64, userAgent: 512, location: 255 };

/**
 * The device a session is issued to: client address, user agent and (behind Cloudflare) city and country. The
 * address and the `cf-ip*` headers are whatever the client says unless a trusted proxy set them, so they are used
 * only with TRUST_PROXY (Fastify then takes the address from X-Forwarded-For).
 */
export function deviceOf(request: FastifyRequest, trustProxy: boolean): DeviceInfo {
  const header = (name: string) => {
    const v = request.headers[name];
    return typeof v === 'string' && v ? v : undefined;
  };
  const location = trustProxy ? [header('cf-ipcity'), header('cf-ipcountry')].filter(Boolean).join(', ') : '';
  return {
    ipAddress: request.ip ? request.ip.slice(0, DEVICE_LIMITS.ipAddress) : null,
    userAgent: header('user-agent')?.slice(0, DEVICE_LIMITS.userAgent) ?? null,
    location: location.slice(0, DEVICE_LIMITS.location),
  };
}
