import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/app-config';
import { UnitOfWork } from '../../../database/unit-of-work';
import { PasswordHasherService } from '../../../identity/credentials/password-hasher.service';
import type { Identity } from '../../../identity/identity.model';
import { IdentityReader } from '../../../identity/identity-reader';
import { IdentityService } from '../../../identity/identity.service';
import { METRICS_REGISTRY } from '../../../metrics/metrics.module';
import { IDENTIFIER_MAX_LENGTH } from '../../../schema/kratos-extension';
import { SessionLifecycleService } from '../../../session/session-lifecycle.service';
import { AttemptThrottleService } from '../../../throttle/attempt-throttle.service';
import { deviceOf, FlowService } from '../../flows/flow.service';
import { addNodeMessage, inputNode, setNodeValue, submitNode, UiContainer, UiNode } from '../../ui/ui-node';
import { Text, UiText } from '../../ui/ui-text';
import type { LoginStrategy, RegistrationStrategy, SettingsStrategy, StrategyContext } from '../strategy';
import { checkPassword, passwordPolicyFor } from './password-policy';
import { Clock } from '../../../common/time/clock';

const LOGIN_OUTCOMES = ['success', 'invalid_credentials', 'throttled', 'disabled'] as const;
type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

/** The password method: identifier + password login, registration with a password, and changing it in settings. */
@Injectable()
export class PasswordStrategy implements LoginStrategy, RegistrationStrategy, SettingsStrategy {
  readonly method = 'password';
  readonly flows = ['login', 'registration', 'settings'] as const;
  /**
   * Verified against when the identifier is unknown, so both failures take the same time (no user enumeration).
   * Hashed on the first miss rather than at start, so that an idle replica starts no hashing thread.
   */
  private dummyHash?: Promise<string>;
  /** Password logins by outcome; submissions refused before an attempt (wrong method, empty fields) are not counted. */
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly flowService: FlowService,
    private readonly identityReader: IdentityReader,
    private readonly identities: IdentityService,
    private readonly hasher: PasswordHasherService,
    private readonly lifecycle: SessionLifecycleService,
    private readonly uow: UnitOfWork,
    private readonly throttle: AttemptThrottleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly clock: Clock,
  ) {
    this.outcomes = new Counter({
      name: 'login_attempts_total',
      help: 'Password login attempts by outcome (success, invalid_credentials, throttled, disabled)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of LOGIN_OUTCOMES) this.outcomes.inc({ outcome }, 0);
  }

  loginNodes(): UiNode[] {
    return [
      inputNode('password', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' }, Text.labelPassword()),
      submitNode('password', 'password', Text.labelSignInWithPassword()),
    ];
  }

  registrationNodes(): UiNode[] {
    return [
      inputNode('password', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }, Text.labelPassword()),
      submitNode('password', 'password', Text.labelSignUp()),
    ];
  }

  settingsNodes(): UiNode[] {
    return [
      inputNode('password', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }, Text.labelPassword()),
      submitNode('password', 'password', Text.labelSave()),
    ];
  }

  /** Identifier lookup and password verification, throttled; the session issued to an active identity. */
  async login(ctx: StrategyContext, body: Record<string, unknown>) {
    const { flow, request } = ctx;
    const fail = (edit: (ui: UiContainer) => void) => ctx.fail(edit);
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
      throw await this.flowService.tooManyAttempts(flow, attempt.retryAfterMs, (edit) =>
        ctx.render((ui) => {
          setNodeValue(ui.nodes, 'identifier', identifier);
          edit(ui);
        }),
      );
    }

    // No identifier is longer than its column, so a longer one is not looked up (it still costs a hash, as any miss).
    // The credential and its identity's row are read in one statement; the identity's addresses once the password is right.
    const found = [...normalised].length <= IDENTIFIER_MAX_LENGTH ? await this.identityReader.findCredentialByIdentifier(normalised, this.method) : null;
    const hash = found?.config.hashed_password;
    const valid =
      typeof hash === 'string' && hash
        ? await this.hasher.verify(password, hash)
        : (await this.hasher.verify(password, await (this.dummyHash ??= this.hasher.hash('not-a-real-password-0123456789')))) && false;
    // A right password gives its attempt back (even for a disabled account: it was not a guess); a wrong one counts.
    await (valid ? attempt.release() : attempt.fail());
    const identity = found && valid ? await found.identity() : null;
    if (!found || !identity) {
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
    const rehashed = this.hasher.needsRehash(hash as string) ? await this.hasher.hash(password) : undefined;
    const now = this.clock.now();
    const issued = await this.uow.run(async () => {
      // Re-checked under a row lock: a deactivation committing meanwhile must not be followed by a new session.
      if ((await this.identityReader.lockState(identity.id)) !== 'active') return undefined;
      if (rehashed) await this.identities.upgradeCredentialConfig(identity.id, this.method, found.config, { ...found.config, hashed_password: rehashed }, now);
      return this.lifecycle.issue(identity.id, [{ method: this.method, aal: 'aal1', completedAt: now }], deviceOf(request, this.config.http.trustProxy), now);
    });
    if (!issued) {
      this.count('disabled');
      throw await fail((ui) => {
        setNodeValue(ui.nodes, 'identifier', identifier);
        ui.messages = [Text.accountDisabled()];
      });
    }
    this.count('success');
    return { session: issued.session, token: issued.token, identity };
  }

  /** The password policy, then the identity to create with a password credential. */
  async register(
    ctx: StrategyContext,
    body: Record<string, unknown>,
    validated: { schemaId: string; traits: object; identifiers: Record<string, string[]> },
    attach: (ui: UiContainer, messages: Array<{ node: string; message: UiText }>) => void,
  ): Promise<Identity> {
    const password = typeof body.password === 'string' ? body.password : '';
    const policyProblem = checkPassword(password, validated.identifiers[this.method] ?? [], passwordPolicyFor(this.config));
    if (policyProblem) throw await ctx.fail((ui) => attach(ui, [{ node: 'password', message: policyProblem }]));
    return this.identities.prepareCreate({ schema_id: validated.schemaId, traits: validated.traits, credentials: { password: { config: { password } } } });
  }

  /** A new password: the policy, and not the current one; `apply` replaces the credential. */
  async updateSettings(ctx: StrategyContext, identity: Identity, body: Record<string, unknown>): Promise<{ apply(): Promise<void> }> {
    const password = typeof body.password === 'string' ? body.password : '';
    const credential = (await this.identities.get(identity.id)).credentials.find((c) => c.type === this.method);
    const problem = checkPassword(password, credential?.identifiers ?? [], passwordPolicyFor(this.config));
    if (problem) throw await ctx.fail((ui) => addNodeMessage(ui.nodes, 'password', problem));
    const current = credential?.config.hashed_password;
    if (typeof current === 'string' && current && (await this.hasher.verify(password, current))) {
      throw await ctx.fail((ui) => addNodeMessage(ui.nodes, 'password', Text.passwordSameAsOld()));
    }
    const hashed = await this.hasher.hash(password);
    return {
      apply: async () => {
        await this.identities.setPassword(identity.id, hashed);
      },
    };
  }

  private count(outcome: LoginOutcome): void {
    this.outcomes.inc({ outcome });
  }
}
