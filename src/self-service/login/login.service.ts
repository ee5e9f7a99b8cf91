import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { FlowResponse } from '../../common/errors/api-error';
import { formatTime } from '../../common/time/rfc3339';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { UnitOfWork } from '../../database/unit-of-work';
import { PasswordHasher } from '../../identity/credentials/password-hasher.service';
import { IdentityRepository } from '../../identity/identity.repository';
import { METRICS_REGISTRY } from '../../metrics/metrics.module';
import { IDENTIFIER_MAX_LENGTH } from '../../schema/kratos-extension';
import { SchemaService } from '../../schema/schema.service';
import { SessionLifecycle } from '../../session/session-lifecycle.service';
import { SessionService } from '../../session/session.service';
import { AttemptThrottle } from '../../throttle/attempt-throttle.service';
import { deviceOf, FlowService } from '../flows/flow.service';
import type { Flow } from '../flows/flow.model';
import { addNodeMessage, csrfNode, inputNode, setNodeValue, submitNode, UiContainer } from '../ui/ui-node';
import { Text, UiText } from '../ui/ui-text';

export interface LoginBody {
  method?: unknown;
  identifier?: unknown;
  password?: unknown;
}

const LOGIN_OUTCOMES = ['success', 'invalid_credentials', 'throttled', 'disabled'] as const;
type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

/** Native (API) login with the password method, as Kratos's login flow answers it. */
@Injectable()
export class LoginService implements OnModuleInit {
  /** Verified against when the identifier is unknown, so both failures take the same time (no user enumeration). */
  private dummyHash = '';
  /** Password logins by outcome; submissions refused before an attempt (wrong method, empty fields) are not counted. */
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly flows: FlowService,
    private readonly identities: IdentityRepository,
    private readonly hasher: PasswordHasher,
    private readonly schemas: SchemaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    private readonly throttle: AttemptThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.outcomes = new Counter({
      name: 'login_attempts_total',
      help: 'Password login attempts by outcome (success, invalid_credentials, throttled, disabled)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of LOGIN_OUTCOMES) this.outcomes.inc({ outcome }, 0);
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash('not-a-real-password-0123456789');
  }

  async createFlow(messages: UiText[] = []): Promise<Flow> {
    return this.uow.run(() => this.flows.create('login', '/self-service/login/api', { state: 'choose_method', context: { messages } }));
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
    const flow = await this.flows.load('login', rawId);
    if (this.flows.isExpired(flow)) throw this.flows.expiredError(flow, await this.replacementFor(flow));
    return this.flowJson(flow);
  }

  /** POST /self-service/login?flow=…: the session token and session, or the flow with a message (400). */
  async submit(rawId: unknown, body: LoginBody | undefined, request: FastifyRequest): Promise<Record<string, unknown>> {
    const flow = await this.flows.load('login', rawId);
    if (this.flows.isExpired(flow)) throw this.flows.expiredError(flow, await this.replacementFor(flow));
    const fail = async (edit: (ui: UiContainer) => void) => new FlowResponse(400, await this.flowJson(flow, edit));

    if (body?.method !== 'password') throw await fail((ui) => (ui.messages = [Text.noLoginStrategy()]));
    const identifier = typeof body.identifier === 'string' ? body.identifier : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!identifier || !password) {
      throw await fail((ui) => {
        setNodeValue(ui.nodes, 'identifier', identifier);
        if (!identifier) addNodeMessage(ui.nodes, 'identifier', Text.missingProperty('identifier'));
        if (!password) addNodeMessage(ui.nodes, 'password', Text.missingProperty('password'));
      });
    }

    // Guessing is limited per identifier and per client address; only failed attempts count (a right password gives
    // its attempt back), and a refused one costs no hashing.
    const normalised = identifier.trim().toLowerCase();
    const limits = this.config.throttle.login;
    const attempt = await this.throttle.acquire(
      'login',
      [
        { subject: `identifier:${normalised}`, limit: limits.perIdentifier },
        { subject: `address:${request.ip}`, limit: limits.perAddress },
      ],
      limits.windowMs,
    );
    if (!attempt.allowed) {
      this.count('throttled');
      throw await this.flows.tooManyAttempts(flow, attempt.retryAfterMs, (edit) => this.flowJson(flow, (ui) => {
        setNodeValue(ui.nodes, 'identifier', identifier);
        edit(ui);
      }));
    }

    // No identifier is longer than its column, so a longer one is not looked up (it still costs a hash, as any miss).
    const identityId = [...normalised].length <= IDENTIFIER_MAX_LENGTH ? await this.identities.findIdByIdentifier(normalised, ['password']) : null;
    const identity = identityId ? await this.identities.findById(identityId, { credentials: true }) : null;
    const hash = identity?.credentials.find((c) => c.type === 'password')?.config.hashed_password;
    const valid = typeof hash === 'string' && hash ? await this.hasher.verify(password, hash) : (await this.hasher.verify(password, this.dummyHash)) && false;
    // A right password gives its attempt back (even for a disabled account: it was not a guess); a wrong one counts.
    await (valid ? attempt.release() : attempt.fail());
    if (!identity || !valid) {
      this.count('invalid_credentials');
      throw await fail((ui) => {
        setNodeValue(ui.nodes, 'identifier', identifier);
        ui.messages = [Text.invalidCredentials()];
      });
    }
    if (identity.state !== 'active') {
      this.count('disabled');
      throw await fail((ui) => {
        setNodeValue(ui.nodes, 'identifier', identifier);
        ui.messages = [Text.accountDisabled()];
      });
    }

    // An imported or weaker hash is replaced by the configured algorithm once the password is known to be right.
    const credential = identity.credentials.find((c) => c.type === 'password')!;
    const rehashed = this.hasher.needsRehash(hash as string) ? await this.hasher.hash(password) : undefined;
    const now = new Date();
    const issued = await this.uow.run(async () => {
      // Re-checked under a row lock: a deactivation committing meanwhile must not be followed by a new session.
      if ((await this.identities.lockState(identity.id)) !== 'active') return undefined;
      if (rehashed) await this.identities.replaceCredentialConfigIf(identity.id, 'password', credential.config, { ...credential.config, hashed_password: rehashed }, now);
      return this.lifecycle.issue(identity.id, [{ method: 'password', aal: 'aal1', completedAt: now }], deviceOf(request, this.config.http.trustProxy), now);
    });
    if (!issued) {
      this.count('disabled');
      throw await fail((ui) => {
        setNodeValue(ui.nodes, 'identifier', identifier);
        ui.messages = [Text.accountDisabled()];
      });
    }
    this.count('success');
    const { session, token } = issued;
    return { session_token: token, session: this.sessions.publicJson(session, identity), continue_with: null };
  }

  private count(outcome: LoginOutcome): void {
    this.outcomes.inc({ outcome });
  }

  private async replacementFor(flow: Flow): Promise<Flow> {
    const now = new Date();
    return this.createFlow([Text.loginFlowExpired(flow.expiresAt, (now.getTime() - flow.expiresAt.getTime()) / 60_000)]);
  }

  private async ui(flow: Flow): Promise<UiContainer> {
    const identifierFields = (await this.schemas.traitFields(this.schemas.defaultSchemaId)).filter((f) => f.passwordIdentifier);
    const single = identifierFields.length === 1 && identifierFields[0].title ? identifierFields[0] : undefined;
    return this.flows.ui(flow, [
      csrfNode(),
      inputNode('default', { name: 'identifier', type: 'text', value: '', required: true }, single ? Text.labelTrait(single.name, single.title!) : Text.labelId()),
      inputNode('password', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' }, Text.labelPassword()),
      submitNode('password', 'password', Text.labelSignInWithPassword()),
    ]);
  }
}
