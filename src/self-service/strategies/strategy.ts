import type { FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/identity.model';
import type { Session } from '../../session/session.model';
import type { Flow, FlowKind } from '../flows/flow.model';
import type { UiContainer, UiNode } from '../ui/ui-node';
import type { UiText } from '../ui/ui-text';

/**
 * A self-service method (password today; `code` and `link` for recovery; later TOTP, WebAuthn, OIDC), in the spirit
 * of Kratos's selfservice/strategy: a flow kind asks the StrategyRegistry for the strategy of the submitted `method`.
 */
export interface SelfServiceStrategy {
  /** The `method` a submission names, and the UI node group of the strategy's nodes. */
  readonly method: string;
  /** The flow kinds this strategy takes part in. */
  readonly flows: readonly FlowKind[];
}

/** What a flow kind hands a strategy for one submission: the flow, the request, and its form with edits. */
export interface StrategyContext {
  flow: Flow;
  request: FastifyRequest;
  /** The flow's JSON with `edit` applied to its form, as the flow kind renders it. */
  render(edit?: (ui: UiContainer) => void): Promise<Record<string, unknown>>;
  /** The 400 answer carrying the flow with `edit` applied (throw it). */
  fail(edit: (ui: UiContainer) => void): Promise<Error>;
}

export interface LoginStrategy extends SelfServiceStrategy {
  loginNodes(): UiNode[];
  /** Verifies the submission; the session issued, or throws the flow's answer. */
  login(ctx: StrategyContext, body: Record<string, unknown>): Promise<{ session: Session; token: string; identity: Identity }>;
}

export interface RegistrationStrategy extends SelfServiceStrategy {
  registrationNodes(): UiNode[];
  /** The identity to create, with this method's credential, from validated traits (or throws the flow's answer). */
  register(
    ctx: StrategyContext,
    body: Record<string, unknown>,
    traits: { schemaId: string; traits: object; identifiers: Record<string, string[]> },
    attach: (ui: UiContainer, messages: Array<{ node: string; message: UiText }>) => void,
  ): Promise<Identity>;
}

export interface SettingsStrategy extends SelfServiceStrategy {
  settingsNodes(): UiNode[];
  /** Checks the submission; `apply` stores it (run inside the flow kind's transaction). */
  updateSettings(ctx: StrategyContext, identity: Identity, body: Record<string, unknown>): Promise<{ apply(): Promise<void> }>;
}

export interface RecoveryStrategy extends SelfServiceStrategy {
  /** Which stored secrets this method redeems. */
  readonly tokenKind: 'code' | 'link';
  /** The `amr` method of the session a redemption grants. */
  readonly sessionMethod: 'code_recovery' | 'link_recovery';
  /** Whether the method is redeemed by POSTing the flow (`code`) rather than by opening a link (`link`). */
  readonly redeemedBySubmission: boolean;
  /** State and context of a flow created for this method. */
  initialFlow(): { state: string; context: Record<string, unknown> };
  recoveryNodes(): UiNode[];
  /** The secret of a submission, or throws the flow's answer when it is missing. */
  secretOf(ctx: StrategyContext, body: Record<string, unknown>): Promise<string>;
}

/** The strategy interface each flow kind asks for. */
export interface StrategyFor {
  login: LoginStrategy;
  registration: RegistrationStrategy;
  settings: SettingsStrategy;
  recovery: RecoveryStrategy;
}
