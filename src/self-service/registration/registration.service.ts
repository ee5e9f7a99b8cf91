import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { ApiError, FlowResponse } from '../../common/errors/api-error';
import { UnitOfWork } from '../../database/unit-of-work';
import { PUBLIC_VIEW } from '../../identity/identity.mapper';
import { IdentityService } from '../../identity/identity.service';
import { SchemaService, TraitValidationError } from '../../schema/schema.service';
import type { TraitError } from '../../schema/trait-validator';
import { SessionLifecycleService } from '../../session/session-lifecycle.service';
import { SessionService } from '../../session/session.service';
import { deviceOf, FlowService } from '../flows/flow.service';
import type { Flow } from '../flows/flow.model';
import { StrategyRegistry } from '../strategies/strategy.registry';
import type { StrategyContext } from '../strategies/strategy';
import { addNodeMessage, csrfNode, inputNode, setNodeValue, UiContainer, UiNode } from '../ui/ui-node';
import { Text, UiText } from '../ui/ui-text';
import { Clock } from '../../common/time/clock';

export interface RegistrationBody {
  method?: unknown;
  traits?: unknown;
  password?: unknown;
}

/** `#/traits/name/first` → `traits.name.first`, the node name a trait error belongs to. */
function nodeName(instancePtr: string, child?: string): string {
  const path = instancePtr.replace(/^#\/?/, '').split('/').filter(Boolean);
  return [...path, ...(child ? [child] : [])].join('.');
}

/** A trait validation error as Kratos words it on the form. */
export function traitErrorMessage(error: TraitError): { node: string; message: UiText } {
  switch (error.keyword) {
    case 'required': {
      const property = String(error.params.missingProperty);
      return { node: nodeName(error.instancePtr, property), message: Text.missingProperty(property) };
    }
    case 'format':
      if (error.params.format === 'email') return { node: nodeName(error.instancePtr), message: Text.invalidEmail(error.value) };
      break;
    case 'minLength':
      return { node: nodeName(error.instancePtr), message: Text.tooShort(Number(error.params.limit), textOf(error.value).length) };
    case 'maxLength':
      return { node: nodeName(error.instancePtr), message: Text.tooLong(Number(error.params.limit), [...textOf(error.value)].length) };
    case 'pattern':
      return { node: nodeName(error.instancePtr), message: Text.patternMismatch(String(error.params.pattern)) };
  }
  return { node: nodeName(error.instancePtr), message: Text.generic(error.message) };
}

/** Flattens traits to `traits.a.b` → value, to echo them into the form. */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, `${prefix}.${k}`, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** Native (API) registration; the submitted method's RegistrationStrategy adds its credential; a session is issued at once (Kratos's `session` hook). */
/** minLength and maxLength apply to strings only, so the value they report on is one. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

@Injectable()
export class RegistrationService {
  constructor(
    private readonly flows: FlowService,
    private readonly strategies: StrategyRegistry,
    private readonly schemas: SchemaService,
    private readonly identities: IdentityService,
    private readonly lifecycle: SessionLifecycleService,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async createFlow(messages: UiText[] = []): Promise<Flow> {
    return this.flows.create('registration', '/self-service/registration/api', { state: 'choose_method', context: { messages } });
  }

  async flowJson(flow: Flow, edit?: (ui: UiContainer) => void): Promise<Record<string, unknown>> {
    const ui = await this.ui(flow);
    edit?.(ui);
    return { ...this.flows.baseJson(flow, ui), state: flow.state };
  }

  async getFlow(rawId: unknown): Promise<Record<string, unknown>> {
    const flow = await this.flows.loadLive('registration', rawId, { replacement: () => this.createFlow() });
    return this.flows.respond(flow, await this.flowJson(flow));
  }

  async submit(rawId: unknown, body: RegistrationBody | undefined, request: FastifyRequest): Promise<Record<string, unknown>> {
    const flow = await this.flows.loadLive('registration', rawId, { replacement: () => this.createFlow() });
    const traits = body?.traits && typeof body.traits === 'object' ? body.traits : {};
    const render = (edit?: (ui: UiContainer) => void) =>
      this.flowJson(flow, (ui) => {
        for (const [name, value] of flatten(traits, 'traits', new Map())) setNodeValue(ui.nodes, name, value);
        edit?.(ui);
      });
    const ctx: StrategyContext = { flow, request, render, fail: async (edit) => new FlowResponse(400, await render(edit)) };
    const strategy = this.strategies.forFlow('registration', body?.method);
    if (!strategy) throw await ctx.fail((ui) => (ui.messages = [Text.noRegistrationStrategy()]));

    const schemaId = this.schemas.defaultSchemaId;
    let identifiers: Record<string, string[]>;
    try {
      identifiers = (await this.schemas.validateTraits(schemaId, traits)).credentialIdentifiers;
    } catch (err) {
      if (!(err instanceof TraitValidationError)) throw err;
      throw await ctx.fail((ui) => this.attach(ui, err.errors.map(traitErrorMessage)));
    }
    const identity = await strategy.register(ctx, body as Record<string, unknown>, { schemaId, traits, identifiers }, (ui, messages) =>
      this.attach(ui, messages),
    );

    const now = this.clock.now();
    let issued;
    try {
      issued = await this.uow.run(async () => {
        await this.identities.insertPrepared(identity);
        return this.lifecycle.issue(
          identity.id,
          [{ method: strategy.method, aal: 'aal1', completedAt: now }],
          deviceOf(request, this.config.http.trustProxy),
          now,
        );
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) throw await ctx.fail((ui) => (ui.messages = [Text.duplicateIdentifier()]));
      throw err;
    }
    return this.flows.respond(flow, {
      session_token: issued.token,
      session: this.sessions.publicJson(issued.session, identity),
      identity: this.identities.toJson(identity, PUBLIC_VIEW),
      continue_with: [{ action: 'set_ory_session_token', ory_session_token: issued.token }],
    });
  }

  private attach(ui: UiContainer, messages: Array<{ node: string; message: UiText }>): void {
    for (const { node, message } of messages) {
      if (!addNodeMessage(ui.nodes, node, message)) ui.messages = [...(ui.messages ?? []), message];
    }
  }

  private async ui(flow: Flow): Promise<UiContainer> {
    const fields = await this.schemas.traitFields(this.schemas.defaultSchemaId);
    const traitNodes: UiNode[] = fields.map((f) =>
      inputNode(
        'default',
        {
          name: f.name,
          type: f.inputType,
          ...(f.required ? { required: true } : {}),
          ...(f.autocomplete ? { autocomplete: f.autocomplete } : {}),
          ...(f.pattern ? { pattern: f.pattern } : {}),
        },
        f.title ? Text.labelTrait(f.name, f.title) : undefined,
      ),
    );
    return this.flows.ui(flow, [csrfNode(), ...traitNodes, ...this.strategies.all('registration').flatMap((s) => s.registrationNodes())]);
  }
}
