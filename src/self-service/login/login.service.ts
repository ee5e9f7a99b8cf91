import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { FlowResponse } from '../../common/errors/api-error';
import { formatTime } from '../../common/time/rfc3339';
import { SchemaService } from '../../schema/schema.service';
import { SessionService } from '../../session/session.service';
import { FlowService } from '../flows/flow.service';
import type { Flow } from '../flows/flow.model';
import { StrategyRegistry } from '../strategies/strategy.registry';
import type { StrategyContext } from '../strategies/strategy';
import { csrfNode, inputNode, UiContainer } from '../ui/ui-node';
import { Text, UiText } from '../ui/ui-text';
import { Clock } from '../../common/time/clock';

export interface LoginBody {
  method?: unknown;
  identifier?: unknown;
  password?: unknown;
}

/** Native (API) login, as Kratos's login flow answers it; the submitted method's LoginStrategy does the checking. */
@Injectable()
export class LoginService {
  constructor(
    private readonly flows: FlowService,
    private readonly strategies: StrategyRegistry,
    private readonly schemas: SchemaService,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {}

  async createFlow(messages: UiText[] = []): Promise<Flow> {
    return this.flows.create('login', '/self-service/login/api', { state: 'choose_method', context: { messages } });
  }

  async flowJson(flow: Flow, edit?: (ui: UiContainer) => void): Promise<Record<string, unknown>> {
    const ui = await this.ui(flow);
    edit?.(ui);
    return {
      ...this.flows.baseJson(flow, ui),
      created_at: formatTime(flow.createdAt),
      updated_at: formatTime(flow.updatedAt),
      refresh: false,
      requested_aal: 'aal1',
      state: flow.state,
    };
  }

  async getFlow(rawId: unknown): Promise<Record<string, unknown>> {
    const flow = await this.flows.loadLive('login', rawId, { replacement: (expired) => this.replacementFor(expired) });
    return this.flows.respond(flow, await this.flowJson(flow));
  }

  /** POST /self-service/login?flow=…: the session token and session, or the flow with a message (400). */
  async submit(rawId: unknown, body: LoginBody | undefined, request: FastifyRequest): Promise<Record<string, unknown>> {
    const flow = await this.flows.loadLive('login', rawId, { replacement: (expired) => this.replacementFor(expired) });
    const ctx: StrategyContext = {
      flow,
      request,
      render: (edit) => this.flowJson(flow, edit),
      fail: async (edit) => new FlowResponse(400, await this.flowJson(flow, edit)),
    };

    const strategy = this.strategies.forFlow('login', body?.method);
    if (!strategy) throw await ctx.fail((ui) => (ui.messages = [Text.noLoginStrategy()]));
    const { session, token, identity } = await strategy.login(ctx, body as Record<string, unknown>);
    return this.flows.respond(flow, { session_token: token, session: this.sessions.publicJson(session, identity), continue_with: null });
  }

  private async replacementFor(flow: Flow): Promise<Flow> {
    const now = this.clock.now();
    return this.createFlow([Text.loginFlowExpired(flow.expiresAt, (now.getTime() - flow.expiresAt.getTime()) / 60_000)]);
  }

  private async ui(flow: Flow): Promise<UiContainer> {
    const identifierFields = (await this.schemas.traitFields(this.schemas.defaultSchemaId)).filter((f) => f.passwordIdentifier);
    const single = identifierFields.length === 1 && identifierFields[0].title ? identifierFields[0] : undefined;
    return this.flows.ui(flow, [
      csrfNode(),
      inputNode(
        'default',
        { name: 'identifier', type: 'text', value: '', required: true },
        single ? Text.labelTrait(single.name, single.title!) : Text.labelId(),
      ),
      ...this.strategies.all('login').flatMap((s) => s.loginNodes()),
    ]);
  }
}
