/** The identity aggregate as the services work with it: one identity with its credentials and addresses. */

export const IDENTITY_STATES = ['active', 'inactive'] as const;
export type IdentityState = (typeof IDENTITY_STATES)[number];

/** Credential types that can be stored and named in `include_credential`. */
export const CREDENTIAL_TYPES = ['password', 'oidc', 'totp', 'webauthn', 'lookup_secret', 'code', 'passkey', 'saml'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export interface Credential {
  id: string;
  type: CredentialType;
  identifiers: string[];
  /** Secrets live here (a password hash, OIDC tokens); it leaves the service only through `include_credential`. */
  config: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface VerifiableAddress {
  id: string;
  value: string;
  via: string;
  verified: boolean;
  status: string;
  verifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecoveryAddress {
  id: string;
  value: string;
  via: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface Identity {
  id: string;
  schemaId: string;
  state: IdentityState;
  stateChangedAt: Date | null;
  traits: unknown;
  metadataPublic: unknown;
  metadataAdmin: unknown;
  createdAt: Date;
  updatedAt: Date;
  credentials: Credential[];
  verifiableAddresses: VerifiableAddress[];
  recoveryAddresses: RecoveryAddress[];
}

export interface OidcProvider {
  subject: string;
  provider: string;
  initial_id_token?: string;
  initial_access_token?: string;
  initial_refresh_token?: string;
  [key: string]: unknown;
}

/** How many first-factor logins a credential offers (Kratos's "active first factor" count). */
export function firstFactorCount(credential: Credential): number {
  switch (credential.type) {
    case 'password':
      return typeof credential.config.hashed_password === 'string' && credential.config.hashed_password !== '' && credential.identifiers.length > 0 ? 1 : 0;
    case 'oidc':
    case 'saml':
      return Array.isArray(credential.config.providers) ? credential.config.providers.length : 0;
    default:
      return 0;
  }
}
