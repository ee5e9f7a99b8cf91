import { formatTime } from '../common/time/rfc3339';
import type { IdentityCredentials, IdentityResponse, RecoveryIdentityAddress, VerifiableIdentityAddress } from './dto/identity.response';
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

function credentialJson(credential: Credential, withConfig: boolean): IdentityCredentials {
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

function verifiableJson(a: VerifiableAddress): VerifiableIdentityAddress {
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

function recoveryJson(a: RecoveryAddress): RecoveryIdentityAddress {
  return { id: a.id, value: a.value, via: a.via, created_at: formatTime(a.createdAt), updated_at: formatTime(a.updatedAt) };
}

/** Kratos's identity JSON, keys in Kratos's order. */
export function toIdentityJson(identity: Identity, schemaUrl: string, view: IdentityView): IdentityResponse {
  const include = view.credentials === 'omit' || view.credentials === 'without-config' ? undefined : view.credentials.withConfigFor;
  const withCredentials = view.credentials !== 'omit' && identity.credentials.length > 0;
  const withMetadataAdmin =
    view.metadataAdmin === 'always' || (view.metadataAdmin === 'when-set' && identity.metadataAdmin !== null && identity.metadataAdmin !== undefined);
  return {
    id: identity.id,
    ...(withCredentials
      ? { credentials: Object.fromEntries(identity.credentials.map((c) => [c.type, credentialJson(c, include?.has(c.type) ?? false)])) }
      : {}),
    schema_id: identity.schemaId,
    schema_url: schemaUrl,
    state: identity.state,
    state_changed_at: identity.stateChangedAt ? formatTime(identity.stateChangedAt) : null,
    traits: identity.traits ?? null,
    ...(identity.verifiableAddresses.length > 0 ? { verifiable_addresses: identity.verifiableAddresses.map(verifiableJson) } : {}),
    ...(identity.recoveryAddresses.length > 0 ? { recovery_addresses: identity.recoveryAddresses.map(recoveryJson) } : {}),
    metadata_public: identity.metadataPublic ?? null,
    ...(withMetadataAdmin ? { metadata_admin: identity.metadataAdmin ?? null } : {}),
    created_at: formatTime(identity.createdAt),
    updated_at: formatTime(identity.updatedAt),
  };
}
