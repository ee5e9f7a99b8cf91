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
  const { type, identifiers, version } = credential;
  const [created_at, updated_at] = [formatTime(credential.createdAt), formatTime(credential.updatedAt)];
  return withConfig
    ? { type, identifiers, config: configForAdmin(credential), version, created_at, updated_at }
    : { type, identifiers, version, created_at, updated_at };
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
  const { id, value, verified, via, status } = a;
  const [created_at, updated_at] = [formatTime(a.createdAt), formatTime(a.updatedAt)];
  return a.verifiedAt
    ? { id, value, verified, via, status, verified_at: formatTime(a.verifiedAt), created_at, updated_at }
    : { id, value, verified, via, status, created_at, updated_at };
}

function recoveryJson(a: RecoveryAddress): RecoveryIdentityAddress {
  return { id: a.id, value: a.value, via: a.via, created_at: formatTime(a.createdAt), updated_at: formatTime(a.updatedAt) };
}

/**
 * Kratos's identity JSON, keys in Kratos's order. Optional keys are assigned in that order rather than spread into
 * a literal (a page of 250 identities is built on every list request, and spreads cost several times as much), so
 * the compiler cannot check here that every required key is written: identity.mapper.spec.ts does.
 */
export function toIdentityJson(identity: Identity, schemaUrl: string, view: IdentityView): IdentityResponse {
  const include = view.credentials === 'omit' || view.credentials === 'without-config' ? undefined : view.credentials.withConfigFor;
  const withMetadataAdmin =
    view.metadataAdmin === 'always' || (view.metadataAdmin === 'when-set' && identity.metadataAdmin !== null && identity.metadataAdmin !== undefined);
  const json = { id: identity.id } as IdentityResponse;
  if (view.credentials !== 'omit' && identity.credentials.length > 0) {
    const credentials: Record<string, IdentityCredentials> = {};
    for (const c of identity.credentials) credentials[c.type] = credentialJson(c, include?.has(c.type) ?? false);
    json.credentials = credentials;
  }
  json.schema_id = identity.schemaId;
  json.schema_url = schemaUrl;
  json.state = identity.state;
  json.state_changed_at = identity.stateChangedAt ? formatTime(identity.stateChangedAt) : null;
  json.traits = identity.traits ?? null;
  if (identity.verifiableAddresses.length > 0) json.verifiable_addresses = identity.verifiableAddresses.map(verifiableJson);
  if (identity.recoveryAddresses.length > 0) json.recovery_addresses = identity.recoveryAddresses.map(recoveryJson);
  json.metadata_public = identity.metadataPublic ?? null;
  if (withMetadataAdmin) json.metadata_admin = identity.metadataAdmin ?? null;
  json.created_at = formatTime(identity.createdAt);
  json.updated_at = formatTime(identity.updatedAt);
  return json;
}
