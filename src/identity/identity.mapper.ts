import { formatTime } from '../common/time/rfc3339';
import type { Credential, Identity, OidcProvider, RecoveryAddress, VerifiableAddress } from './identity.model';

/**
 * What the identity JSON carries. Kratos has several marshalers; these options name the differences:
 * - credentials: absent, listed without `config`, or with `config` for the types the admin asked for;
 * - metadata_admin: always present (null when unset), present only when set, or never (the public form).
 */
export interface IdentityView {
  credentials: 'omit' | 'without-config' | { withConfigFor: ReadonlySet<string> };
  metadataAdmin: 'always' | 'when-set' | 'omit';
}

/** The admin form that GET, list, PATCH and events use. */
export const ADMIN_VIEW: IdentityView = { credentials: 'without-config', metadataAdmin: 'always' };
/** The form inside a session: no credentials, no admin metadata. */
export const PUBLIC_VIEW: IdentityView = { credentials: 'omit', metadataAdmin: 'omit' };

function credentialJson(credential: Credential, withConfig: boolean): Record<string, unknown> {
  return {
    type: credential.type,
    identifiers: credential.identifiers,
    ...(withConfig ? { config: configForAdmin(credential) } : {}),
    version: credential.version,
    created_at: formatTime(credential.createdAt),
    updated_at: formatTime(credential.updatedAt),
  };
}

/** OIDC configs are rebuilt to the documented provider fields; every other type's config is returned as stored. */
function configForAdmin(credential: Credential): Record<string, unknown> {
  if (credential.type !== 'oidc') return credential.config;
  const providers = (credential.config.providers as OidcProvider[] | undefined) ?? [];
  return {
    providers: providers.map((p) => ({
      subject: p.subject,
      provider: p.provider,
      initial_id_token: p.initial_id_token ?? '',
      initial_access_token: p.initial_access_token ?? '',
      initial_refresh_token: p.initial_refresh_token ?? '',
    })),
  };
}

function verifiableJson(a: VerifiableAddress): Record<string, unknown> {
  return {
    id: a.id,
    value: a.value,
    verified: a.verified,
    via: a.via,
    status: a.status,
    ...(a.verifiedAt ? { verified_at: formatTime(a.verifiedAt) } : {}),
    created_at: formatTime(a.createdAt),
    updated_at: formatTime(a.updatedAt),
  };
}

function recoveryJson(a: RecoveryAddress): Record<string, unknown> {
  return { id: a.id, value: a.value, via: a.via, created_at: formatTime(a.createdAt), updated_at: formatTime(a.updatedAt) };
}

/** Kratos's identity JSON, keys in Kratos's order. */
export function toIdentityJson(identity: Identity, schemaUrl: string, view: IdentityView): Record<string, unknown> {
  const out: Record<string, unknown> = { id: identity.id };
  if (view.credentials !== 'omit' && identity.credentials.length > 0) {
    const include = view.credentials === 'without-config' ? undefined : view.credentials.withConfigFor;
    out.credentials = Object.fromEntries(identity.credentials.map((c) => [c.type, credentialJson(c, include?.has(c.type) ?? false)]));
  }
  out.schema_id = identity.schemaId;
  out.schema_url = schemaUrl;
  out.state = identity.state;
  out.state_changed_at = identity.stateChangedAt ? formatTime(identity.stateChangedAt) : null;
  out.traits = identity.traits ?? null;
  if (identity.verifiableAddresses.length > 0) out.verifiable_addresses = identity.verifiableAddresses.map(verifiableJson);
  if (identity.recoveryAddresses.length > 0) out.recovery_addresses = identity.recoveryAddresses.map(recoveryJson);
  out.metadata_public = identity.metadataPublic ?? null;
  if (view.metadataAdmin === 'always' || (view.metadataAdmin === 'when-set' && identity.metadataAdmin !== null && identity.metadataAdmin !== undefined)) {
    out.metadata_admin = identity.metadataAdmin ?? null;
  }
  out.created_at = formatTime(identity.createdAt);
  out.updated_at = formatTime(identity.updatedAt);
  return out;
}
