import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { ApiError, FlowResponse } from '../../common/errors/api-error';
import { UnitOfWork } from '../../database/unit-of-work';
import { PUBLIC_VIEW } from '../../identity/identity.mapper';
import type { Identity } from '../../identity/identity.model';
import { IdentityService } from '../../identity/identity.service';
import type { Session } from '../../session/session.model';
import { SessionService } from '../../session/session.service';
import { FlowService } from '../flows/flow.service';
import type { Flow, FlowType } from '../flows/flow.model';
import { StrategyRegistry } from '../strategies/strategy.registry';
import type { StrategyContext } from '../strategies/strategy';
import { csrfNode, UiContainer } from '../ui/ui-node';
import { Text, UiText } from '../ui/ui-text';
import { Clock } from '../../common/time/clock';

export interface SettingsBody {
  method?: unknown;
  password?: unknown;
}

/** Settings needs a session; without one Kratos answers with this 401 (note the `session_inactive` id). */
function sessionRequired(reason: string): ApiError {
  return new ApiError(401, { id: 'session_inactive', reason, message: 'request does not have a valid authentication session' });
}

/** The native settings flow (password method today): how a recovered user sets a new password. */
@Injectable()
export class SettingsService {
  constructor(
    private readonly flows: FlowService,
    private readonly strategies: StrategyRegistry,
    private readonly identities: IdentityService,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** A settings flow for the session's identity (used by GET …/settings/api and by recovery). */
  async createFlow(identity: Identity, session: Session, type: FlowType, messages: UiText[] = []): Promise<Flow> {
    return this.flows.create('settings', type === 'api' ? '/self-service/settings/api' : '/self-service/settings/browser', {
      type,
      state: 'show_form',
      identityId: identity.id,
      sessionId: session.id,
      context: { messages },
    });
  }

  async createForRequest(request: FastifyRequest): Promise<Record<string, unknown>> {
    const { session, identity } = await this.authenticate(request, 'This endpoint can only be accessed with a valid session. Please log in and try again.');
    return this.flowJson(await this.createFlow(identity, session, 'api'), identity);
  }

  async getFlow(rawId: unknown, request: FastifyRequest): Promise<Record<string, unknown>> {
    const { identity } = await this.authenticate(request, 'This endpoint can only be accessed with a valid session. Please log in and try again.');
    const flow = await this.flows.loadLive('settings', rawId, { ownedBy: identity.id });
    return this.flows.respond(flow, this.flowJson(flow, identity));
  }

  flowJson(flow: Flow, identity: Identity, edit?: (ui: UiContainer) => void): Record<string, unknown> {
    const ui = this.flows.ui(flow, [csrfNode(), ...this.strategies.all('settings').flatMap((s) => s.settingsNodes())]);
    edit?.(ui);
    return { ...this.flows.baseJson(flow, ui), identity: this.identities.toJson(identity, PUBLIC_VIEW), state: flow.state };
  }

  /** POST /self-service/settings?flow=…: the submitted method's SettingsStrategy checks and stores the change. */
  async submit(rawId: unknown, body: SettingsBody | undefined, request: FastifyRequest): Promise<Record<string, unknown>> {
    const { session, identity } = await this.authenticate(request, 'A valid Ory Session Cookie or Ory Session Token is missing.');
    const flow = await this.flows.loadLive('settings', rawId, {
      ownedBy: identity.id,
      replacement: (expired) => this.createFlow(identity, session, expired.type),
    });
    const render = (edit?: (ui: UiContainer) => void) => Promise.resolve(this.flowJson(flow, identity, edit));
    const ctx: StrategyContext = { flow, request, render, fail: async (edit) => new FlowResponse(400, await render(edit)) };
    const strategy = this.strategies.forFlow('settings', body?.method);
    if (!strategy) throw await ctx.fail((ui) => (ui.messages = [Text.noSettingsStrategy()]));

    // Changing a password needs a recent login (Kratos's privileged session); a recovery session is one.
    const now = this.clock.nowMs();
    if (session.authenticatedAt.getTime() + this.config.session.privilegedMaxAgeMs < now) {
      throw new ApiError(403, {
        id: 'session_refresh_required',
        reason: 'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
        extra: { redirect_browser_to: `${this.config.http.publicBaseUrl}/self-service/login/browser?refresh=true` },
      });
    }

    const update = await strategy.updateSettings(ctx, identity, body as Record<string, unknown>);
    await this.uow.run(async () => {
      await update.apply();
      flow.state = 'success';
      flow.context = { ...flow.context, messages: [Text.settingsSaved()] };
      await this.flows.save(flow);
    });
    return this.flows.respond(flow, this.flowJson(flow, identity));
  }

  private async authenticate(request: FastifyRequest, reason: string): Promise<{ session: Session; identity: Identity }> {
    try {
      return await this.sessions.authenticate(request);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw sessionRequired(reason);
      throw err;
    }
  }
}
