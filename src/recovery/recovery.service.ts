import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { randomDigits, randomString } from '../common/crypto/random-string';
import { parseGoDuration } from '../common/duration/go-duration';
import { ApiError, FlowResponse } from '../common/errors/api-error';
import { formatTime } from '../common/time/rfc3339';
import { UnitOfWork } from '../database/unit-of-work';
import { EventRecorderService } from '../events/event-recorder.service';
import type { Identity } from '../identity/identity.model';
import { IdentityReader } from '../identity/identity-reader';
import { AttemptThrottleService } from '../throttle/attempt-throttle.service';
import { deviceOf, FlowService, SettingsService, StrategyRegistry, Text } from '../self-service';
import type { Flow, FlowType, RecoveryStrategy, StrategyContext, UiContainer, UiText } from '../self-service';
import { SessionLifecycleService } from '../session/session-lifecycle.service';
import type { Session } from '../session/session.model';
import type { CreateRecoveryCodeForIdentityBody, CreateRecoveryLinkForIdentityBody } from './dto/create-recovery.dto';
import { recoveryCodeCreatedData, recoveryCompletedData, recoveryLinkCreatedData } from './recovery.events';
import { RecoverySecrets } from './recovery-secrets';
import { RecoveryTokenKind, RecoveryTokenRepository } from './recovery-token.repository';
import { Clock } from '../common/time/clock';

/** Kratos lets a recovery flow be submitted this many times; the next submission spends it. */
export const MAX_RECOVERY_SUBMISSIONS = 5;

const DISABLED_REASON = 'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';

export type RedeemedGrant = { session: Session; token: string; settings: Flow; identity: Identity };

/**
 * Admin recovery links and codes, and their redemption: a code by a native app (POST), a link by a browser (GET).
 * Secrets are single-use, expire with their flow, and are stored as keyed hashes. Creating a code or link does not
 * invalidate older ones: each stays usable until it is used or expires.
 */
@Injectable()
export class RecoveryService {
  constructor(
    private readonly flows: FlowService,
    private readonly strategies: StrategyRegistry,
    private readonly tokens: RecoveryTokenRepository,
    private readonly secrets: RecoverySecrets,
    private readonly identities: IdentityReader,
    private readonly lifecycle: SessionLifecycleService,
    private readonly settings: SettingsService,
    private readonly uow: UnitOfWork,
    private readonly events: EventRecorderService,
    private readonly throttle: AttemptThrottleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** POST /admin/recovery/link: 200 `{recovery_link, expires_at}`. */
  async createLink(body: CreateRecoveryLinkForIdentityBody, returnTo: string | undefined): Promise<{ recovery_link: string; expires_at: string }> {
    if (!this.config.recovery.linkEnabled) throw ApiError.notFound(DISABLED_REASON);
    const lifespanMs = this.expiresIn(body.expires_in, 'be result to a future time');
    const checkedReturnTo = this.checkReturnTo(returnTo);
    const token = randomString(32);
    const flow = await this.uow.run(async () => {
      const identity = await this.identities.findById(body.identity_id.toLowerCase(), { credentials: false });
      if (!identity) throw ApiError.badRequest('The requested identity id does not exist.');
      const created = await this.createFlow(identity.id, 'browser', 'link', lifespanMs, checkedReturnTo);
      await this.storeSecret(created, 'link', token);
      await this.events.record({ type: 'recovery.link.created', subject: identity.id, data: recoveryLinkCreatedData(created) });
      return created;
    });
    return { recovery_link: `${this.config.http.publicBaseUrl}/self-service/recovery?flow=${flow.id}&token=${token}`, expires_at: formatTime(flow.expiresAt) };
  }

  /** POST /admin/recovery/code: 201 `{recovery_link, recovery_code, expires_at}`. */
  async createCode(body: CreateRecoveryCodeForIdentityBody): Promise<{ recovery_link: string; recovery_code: string; expires_at: string }> {
    if (!this.config.recovery.codeEnabled) throw ApiError.notFound(DISABLED_REASON);
    const lifespanMs = this.expiresIn(body.expires_in, 'result to a future time');
    const code = randomDigits(6);
    const flow = await this.uow.run(async () => {
      const identity = await this.identities.findById(body.identity_id.toLowerCase(), { credentials: false });
      if (!identity) throw ApiError.noRows('could not find identity');
      const created = await this.createFlow(identity.id, body.flow_type === 'api' ? 'api' : 'browser', 'code', lifespanMs, null);
      await this.storeSecret(created, 'code', code);
      await this.events.record({ type: 'recovery.code.created', subject: identity.id, data: recoveryCodeCreatedData(created) });
      return created;
    });
    const link = new URL(this.config.selfService.recoveryUiUrl);
    link.searchParams.set('flow', flow.id);
    return { recovery_link: link.toString(), recovery_code: code, expires_at: formatTime(flow.expiresAt) };
  }

  /** GET /self-service/recovery?flow=… (without a token) and GET …/recovery/flows?id=…: the flow as JSON. */
  async getFlow(rawId: unknown): Promise<Record<string, unknown>> {
    const flow = await this.flows.loadLive('recovery', rawId, { replacement: (expired) => this.replacementFor(expired) });
    return this.flows.respond(flow, this.flowJson(flow));
  }

  /**
   * POST /self-service/recovery?flow=… with `{"method":"code","code":…}`. Success: 200 with the flow in state
   * `passed_challenge` and `continue_with` carrying the session token and the settings flow. A wrong code is 400 with
   * the flow and a message; after five submissions the flow is spent.
   */
  async redeemCode(rawId: unknown, body: { method?: unknown; code?: unknown } | undefined, request: FastifyRequest): Promise<Record<string, unknown>> {
    await this.flows.loadLive('recovery', rawId, { replacement: (expired) => this.replacementFor(expired) });
    // Count the submission in its own transaction, so that failed attempts are counted too.
    const flow = await this.uow.run(async () => {
      const locked = await this.flows.load('recovery', rawId, { lock: true });
      locked.submitCount += 1;
      await this.flows.save(locked);
      return locked;
    });
    const fail = (edit: (ui: UiContainer) => void) => new FlowResponse(400, this.flowJson(flow, edit));
    const ctx: StrategyContext = { flow, request, render: (edit) => Promise.resolve(this.flowJson(flow, edit)), fail: (edit) => Promise.resolve(fail(edit)) };
    if (flow.state === 'passed_challenge') throw fail((ui) => (ui.messages = [Text.recoveryCodeInvalid()]));
    if (flow.submitCount > MAX_RECOVERY_SUBMISSIONS) throw fail((ui) => (ui.messages = [Text.submittedTooOften()]));
    const strategy = this.strategies.forFlow('recovery', body?.method);
    if (!strategy?.redeemedBySubmission) {
      throw fail((ui) => (ui.messages = [Text.generic('Could not find a strategy to recover your account with. Did you fill out the form correctly?')]));
    }
    const code = await strategy.secretOf(ctx, body as Record<string, unknown>);

    // Each flow allows a few submissions; across flows, the codes of one identity may be guessed only so often.
    const limits = this.config.throttle.recoveryCode;
    const attempt = flow.identityId
      ? await this.throttle.acquire('recovery-code', [{ subject: `identity:${flow.identityId}`, limit: limits.perIdentity }], limits.windowMs)
      : undefined;
    if (attempt && !attempt.allowed) throw await this.flows.tooManyAttempts(flow, attempt.retryAfterMs, (edit) => this.flowJson(flow, edit));
    const grant = await this.redeem(flow, strategy, code, request);
    // Only a wrong or expired code counts; a right one (also for a disabled account) gives its attempt back.
    await (grant === 'invalid' || grant === 'expired' ? attempt?.fail() : attempt?.release());
    if (grant === 'invalid' || grant === 'expired') throw fail((ui) => (ui.messages = [Text.recoveryCodeInvalid()]));
    if (grant === 'disabled') throw identityDisabled();
    const settingsUrl = new URL(this.config.selfService.settingsUiUrl);
    settingsUrl.searchParams.set('flow', grant.settings.id);
    return this.flows.respond(flow, {
      ...this.flowJson({ ...flow, state: 'passed_challenge' }),
      continue_with: [
        { action: 'set_ory_session_token', ory_session_token: grant.token },
        { action: 'show_settings_ui', flow: { id: grant.settings.id, url: settingsUrl.toString() } },
      ],
    });
  }

  /**
   * GET /self-service/recovery?flow=…&token=…: signs the browser in (session cookie) and answers 303 to `return_to`
   * or the settings UI. Any failure answers 303 to the recovery UI with a fresh flow that says what went wrong.
   */
  async redeemLink(rawId: unknown, token: string, request: FastifyRequest): Promise<{ location: string; session?: { token: string; expiresAt: Date } }> {
    let flow: Flow;
    try {
      flow = await this.flows.load('recovery', rawId);
    } catch {
      return { location: await this.failureLocation(Text.recoveryTokenInvalid()) };
    }
    const now = this.clock.now();
    if (this.flows.isExpired(flow, now)) {
      return { location: await this.failureLocation(Text.recoveryFlowExpired(flow.expiresAt, (now.getTime() - flow.expiresAt.getTime()) / 60_000)) };
    }
    const grant = await this.redeem(flow, this.strategy('link'), token, request);
    if (grant === 'invalid') return { location: await this.failureLocation(Text.recoveryTokenInvalid()) };
    if (grant === 'expired') return { location: await this.failureLocation(Text.recoveryFlowExpired(flow.expiresAt, 0)) };
    if (grant === 'disabled') return { location: await this.failureLocation(Text.accountDisabled()) };
    const settingsUrl = new URL(this.config.selfService.settingsUiUrl);
    settingsUrl.searchParams.set('flow', grant.settings.id);
    return { location: flow.returnTo ?? settingsUrl.toString(), session: { token: grant.token, expiresAt: grant.session.expiresAt } };
  }

  flowJson(flow: Flow, edit?: (ui: UiContainer) => void): Record<string, unknown> {
    const method = (flow.context.method as string | undefined) ?? 'code';
    // A flow's method is one this service stored; anything else shows the link method's (bare) form, as before.
    const ui = this.flows.ui(flow, (this.strategies.forFlow('recovery', method) ?? this.strategy('link')).recoveryNodes());
    edit?.(ui);
    const base = this.flows.baseJson(flow, ui);
    const { ui: uiJson, ...head } = base;
    return { ...head, active: method, ui: uiJson, state: flow.state };
  }

  /**
   * Checks a presented secret against the flow's stored ones in constant time and, when it is valid, unused and
   * unexpired and the identity is active, spends it and grants a session and a settings flow, in one transaction.
   */
  private async redeem(
    flow: Flow,
    strategy: RecoveryStrategy,
    secret: string,
    request: FastifyRequest,
  ): Promise<RedeemedGrant | 'invalid' | 'expired' | 'disabled'> {
    const now = this.clock.now();
    const kind = strategy.tokenKind;
    const candidates = await this.tokens.findByFlow(flow.id, kind);
    const match = candidates.find((t) => this.secrets.matches(secret, t.secretHmac));
    if (!match || match.usedAt) return 'invalid';
    if (match.expiresAt.getTime() <= now.getTime()) return 'expired';
    const identity = await this.identities.findById(match.identityId, { credentials: false });
    if (!identity) return 'invalid';
    if (identity.state !== 'active') return 'disabled';
    return this.uow.run(async () => {
      // Re-checked under a row lock: a deactivation committing meanwhile must not be followed by a new session.
      if ((await this.identities.lockState(identity.id)) !== 'active') return 'disabled' as const;
      if (!(await this.tokens.markUsed(match.id, now))) return 'invalid' as const;
      const { session, token } = await this.lifecycle.issue(
        identity.id,
        [{ method: strategy.sessionMethod, aal: 'aal1', completedAt: now }],
        deviceOf(request, this.config.http.trustProxy),
        now,
      );
      const privilegedUntil = new Date(now.getTime() + this.config.session.privilegedMaxAgeMs);
      const settings = await this.settings.createFlow(identity, session, flow.type, [
        Text.recoverySuccessful(privilegedUntil, this.config.session.privilegedMaxAgeMs / 60_000),
      ]);
      await this.flows.save({ ...flow, state: 'passed_challenge' });
      await this.events.record({
        type: 'recovery.completed',
        subject: identity.id,
        data: recoveryCompletedData(identity, flow, kind, session, settings),
      });
      return { session, token, settings, identity };
    });
  }

  private async createFlow(identityId: string, type: FlowType, method: RecoveryTokenKind, lifespanMs: number, returnTo: string | null): Promise<Flow> {
    const { state, context } = this.strategy(method).initialFlow();
    return this.flows.create('recovery', '/self-service/recovery', { type, state, identityId, returnTo, lifespanMs, context });
  }

  /** The recovery strategy of a method this service itself names (`code` or `link`, both always registered). */
  private strategy(method: RecoveryTokenKind): RecoveryStrategy {
    const strategy = this.strategies.forFlow('recovery', method);
    if (!strategy) throw new Error(`no recovery strategy for ${method}`);
    return strategy;
  }

  private async storeSecret(flow: Flow, kind: RecoveryTokenKind, secret: string): Promise<void> {
    await this.tokens.insert({
      id: randomUUID(),
      flowId: flow.id,
      identityId: flow.identityId!,
      kind,
      secretHmac: this.secrets.hmac(secret),
      expiresAt: flow.expiresAt,
      usedAt: null,
      createdAt: flow.createdAt,
    });
  }

  /** `expires_in` as Kratos parses it (a Go duration); absent means RECOVERY_LIFESPAN. */
  private expiresIn(raw: string | undefined, futureWording: string): number {
    if (raw === undefined || raw === '') return this.config.recovery.lifespanMs;
    const ms = parseGoDuration(raw);
    if (ms === undefined) {
      throw ApiError.badRequest(`Unable to parse "expires_in" whose format should match "[0-9]+(ns|us|ms|s|m|h)" but did not: ${raw}`);
    }
    if (ms <= 0) throw ApiError.badRequest(`Value from "expires_in" must ${futureWording}: ${raw}`);
    return ms;
  }

  /** `return_to` must start with one of the allowed URLs (the public base URL and ALLOWED_RETURN_URLS). */
  private checkReturnTo(returnTo: string | undefined): string | null {
    if (!returnTo) return null;
    let url: URL;
    try {
      url = new URL(returnTo);
    } catch {
      throw ApiError.badRequest(`Unable to parse the return_to URL: ${returnTo}`);
    }
    if (!this.config.selfService.allowedReturnUrls.some((allowed) => isUnder(url, allowed))) {
      throw ApiError.badRequest(`Requested return_to URL "${returnTo}" is not allowed.`);
    }
    return url.toString();
  }

  /** A fresh recovery flow (no code or link of its own) that shows `message`. */
  private messageFlow(type: FlowType, message: UiText): Promise<Flow> {
    return this.flows.create('recovery', '/self-service/recovery', { type, state: 'choose_method', context: { method: 'link', messages: [message] } });
  }

  private replacementFor(flow: Flow): Promise<Flow> {
    return this.messageFlow(flow.type, Text.recoveryFlowExpired(flow.expiresAt, (this.clock.nowMs() - flow.expiresAt.getTime()) / 60_000));
  }

  /** The recovery UI with a fresh flow carrying `message`, where a failed link sends the browser. */
  private async failureLocation(message: UiText): Promise<string> {
    const flow = await this.messageFlow('browser', message);
    const url = new URL(this.config.selfService.recoveryUiUrl);
    url.searchParams.set('flow', flow.id);
    return url.toString();
  }
}

/**
 * Same scheme, host and port as `allowed`, no credentials, and a path at or below its path: a string prefix would
 * let `https://id.example.com.evil.com` and `https://id.example.com@evil.com` through.
 */
export function isUnder(url: URL, allowed: string): boolean {
  let base: URL;
  try {
    base = new URL(allowed);
  } catch {
    return false;
  }
  if (url.username || url.password || url.origin !== base.origin) return false;
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.pathname === base.pathname || url.pathname.startsWith(prefix) || base.pathname === '/';
}

/** Kratos's answer when a recovered identity is disabled: nothing is granted. */
function identityDisabled(): ApiError {
  return ApiError.unauthorized('This account was disabled.');
}
