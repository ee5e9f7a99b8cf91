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
import { SessionLifecycle } from '../../session/session-lifecycle.service';
import { SessionService } from '../../session/session.service';
import { deviceOf, FlowService } from '../flows/flow.service';
import type { Flow } from '../flows/flow.model';
import { checkPassword, passwordPolicyFor } from '../password/password-policy';
import { addNodeMessage, csrfNode, inputNode, setNodeValue, submitNode, UiContainer, UiNode } from '../ui/ui-node';
import { Text, UiText } from '../ui/ui-text';

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
      return { node: nodeName(error.instancePtr), message: Text.tooShort(Number(error.params.limit), String(error.value ?? '').length) };
    case 'maxLength':
      return { node: nodeName(error.instancePtr), message: Text.tooLong(Number(error.params.limit), [...String(error.value ?? '')].length) };
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

/** Native (API) registration with the password method; a session is issued at once (Kratos's `session` hook). */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly flows: FlowService,
    private readonly schemas: SchemaService,
    private readonly identities: IdentityService,
    private readonly lifecycle: SessionLifecycle,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createFlow(messages: UiText[] = []): Promise<Flow> {
    return this.uow.run(() => this.flows.create('registration', '/self-service/registration/api', { state: 'choose_method', context: { messages } }));
  }

  async flowJson(flow: Flow, edit?: (ui: UiContainer) => void): Promise<Record<string, unknown>> {
    const ui = await this.ui(flow);
    edit?.(ui);
    return { ...this.flows.baseJson(flow, ui), state: flow.state };
  }

  async getFlow(rawId: unknown): Promise<Record<string, unknown>> {
    const flow = await this.flows.load('registration', rawId);
    if (this.flows.isExpired(flow)) throw this.flows.expiredError(flow, await this.createFlow());
    return this.flowJson(flow);
  }

  async submit(rawId: unknown, body: RegistrationBody | undefined, request: FastifyRequest): Promise<Record<string, unknown>> {
    const flow = await this.flows.load('registration', rawId);
    if (this.flows.isExpired(flow)) throw this.flows.expiredError(flow, await this.createFlow());
    const traits = body?.traits && typeof body.traits === 'object' ? body.traits : {};
    const password = typeof body?.password === 'string' ? body.password : '';
    const fail = async (edit: (ui: UiContainer) => void) =>
      new FlowResponse(
        400,
        await this.flowJson(flow, (ui) => {
          for (const [name, value] of flatten(traits, 'traits', new Map())) setNodeValue(ui.nodes, name, value);
          edit(ui);
        }),
      );
    if (body?.method !== 'password') throw await fail((ui) => (ui.messages = [Text.noRegistrationStrategy()]));

    const schemaId = this.schemas.defaultSchemaId;
    let identifiers: string[];
    try {
      identifiers = (await this.schemas.validateTraits(schemaId, traits)).credentialIdentifiers.password;
    } catch (err) {
      if (!(err instanceof TraitValidationError)) throw err;
      throw await fail((ui) => this.attach(ui, err.errors.map(traitErrorMessage)));
    }
    const policyProblem = checkPassword(password, identifiers, passwordPolicyFor(this.config));
    if (policyProblem) throw await fail((ui) => this.attach(ui, [{ node: 'password', message: policyProblem }]));

    const identity = await this.identities.prepareCreate({ schema_id: schemaId, traits, credentials: { password: { config: { password } } } });
    const now = new Date();
    let issued;
    try {
      issued = await this.uow.run(async () => {
        await this.identities.insertPrepared(identity);
        return this.lifecycle.issue(identity.id, [{ method: 'password', aal: 'aal1', completedAt: now }], deviceOf(request, this.config.http.trustProxy), now);
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) throw await fail((ui) => (ui.messages = [Text.duplicateIdentifier()]));
      throw err;
    }
    return {
      session_token: issued.token,
      session: this.sessions.publicJson(issued.session, identity),
      identity: this.identities.toJson(identity, PUBLIC_VIEW),
      continue_with: [{ action: 'set_ory_session_token', ory_session_token: issued.token }],
    };
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
    return this.flows.ui(flow, [
      csrfNode(),
      ...traitNodes,
      inputNode('password', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }, Text.labelPassword()),
      submitNode('password', 'password', Text.labelSignUp()),
    ]);
  }
}
