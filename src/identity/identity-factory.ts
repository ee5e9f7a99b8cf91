import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { SchemaService } from '../schema/schema.service';
import { IDENTIFIER_MAX_LENGTH, type DerivedAddress, type TraitDerivations } from '../schema/kratos-extension';
import { PasswordHasherService } from './credentials/password-hasher.service';
import { checkImportedHash, HASH_IMPORT_REASONS, HashFormatError } from './credentials/hashing/hash-formats';
import type { CreateIdentityBody, IdentityWithCredentials, RecoveryIdentityAddressImport, VerifiableIdentityAddressImport } from './dto/create-identity.dto';
import { Credential, CredentialType, Identity, IDENTITY_STATES, IdentityState, OidcProvider, RecoveryAddress, VerifiableAddress } from './identity.model';

/**
 * An identity on its way to storage: what the request set, before the traits are validated and the
 * `ory.sh/kratos` extension has derived identifiers and addresses. Candidate addresses are the imported (or
 * existing) ones; derived addresses that match a candidate keep its id and verification state.
 */
export interface IdentityDraft {
  identity: Identity;
  verifiableCandidates: VerifiableAddress[];
  recoveryCandidates: RecoveryAddress[];
}

/** Credential imports after the checks that need no database: hashes checked, plaintext passwords hashed. */
export interface PreparedCredentials {
  password?: { hashedPassword: string };
  oidcProviders?: OidcProvider[];
}

export const INVALID_STATE_REASON = 'identity state is not valid';

function isState(value: unknown): value is IdentityState {
  return (IDENTITY_STATES as readonly unknown[]).includes(value);
}

/** Kratos's verification states; the column holds nothing else. */
const VERIFIABLE_ADDRESS_STATUSES = ['pending', 'sent', 'completed'];

/** RFC 3339 date-times that both stores can hold (MySQL's DATETIME spans the years 1000 to 9999). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseImportedDate(value: unknown, field: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const date = typeof value === 'string' && RFC3339.test(value) ? new Date(value) : undefined;
  const year = date?.getUTCFullYear() ?? NaN;
  if (!(year >= 1000 && year <= 9999)) throw ApiError.badRequest(`${field} must be an RFC 3339 date-time between the years 1000 and 9999`);
  return date!;
}

function normaliseAddressValue(via: string, value: string): string {
  return via === 'email' ? value.trim().toLowerCase() : value.trim();
}

/**
 * Builds identities from request bodies, following Kratos's order: first the conversion (state, credential import;
 * errors there fail a whole batch), then `applyTraits` (schema validation and derivation; errors there fail one item).
 */
@Injectable()
export class IdentityFactory {
  constructor(
    private readonly schemas: SchemaService,
    private readonly hasher: PasswordHasherService,
  ) {}

  /** Checks what can be checked without hashing, so a batch can refuse before spending CPU. */
  checkCreateBody(body: CreateIdentityBody): void {
    if (body.state !== undefined && body.state !== '' && !isState(body.state)) throw ApiError.badRequest(INVALID_STATE_REASON);
    if (body.organization_id) throw ApiError.badRequest('Organizations are not supported by this service; organization_id must be null.');
    this.checkCredentialImport(body.credentials);
  }

  hasPlaintextPassword(body: { credentials?: IdentityWithCredentials }): boolean {
    return Boolean(body.credentials?.password?.config.password);
  }

  private checkCredentialImport(credentials: IdentityWithCredentials | undefined): void {
    const config = credentials?.password?.config;
    if (config) {
      if (config.use_password_migration_hook) {
        throw ApiError.badRequest('Password migration hooks are not supported by this service; import the password hash instead.');
      }
      if (config.password) {
        this.hasher.assertHashable(config.password);
      } else {
        try {
          checkImportedHash(config.hashed_password ?? '');
        } catch (err) {
          if (err instanceof HashFormatError) throw ApiError.badRequest(HASH_IMPORT_REASONS[err.problem], { cause: err.message });
          throw err;
        }
      }
    }
    for (const [i, p] of (credentials?.oidc?.config.providers ?? []).entries()) {
      if (!p.provider || !p.subject) throw ApiError.badRequest('OIDC providers need a provider and a subject.');
      // Stored as the login identifier `provider:subject`, in the identifier column.
      const length = [...`${p.provider}:${p.subject}`].length;
      if (length > IDENTIFIER_MAX_LENGTH) {
        throw ApiError.badRequest(
          `credentials.oidc.config.providers.${i}: "provider:subject" must be at most ${IDENTIFIER_MAX_LENGTH} characters long, but got ${length}`,
        );
      }
    }
  }

  /** Checks and prepares credential imports; plaintext passwords are hashed here (off the event loop). */
  async prepareCredentials(credentials: IdentityWithCredentials | undefined): Promise<PreparedCredentials> {
    this.checkCredentialImport(credentials);
    const prepared: PreparedCredentials = {};
    const config = credentials?.password?.config;
    if (config) {
      prepared.password = { hashedPassword: config.password ? await this.hasher.hash(config.password) : config.hashed_password! };
    }
    if (credentials?.oidc) {
      prepared.oidcProviders = credentials.oidc.config.providers.map((p) => ({
        subject: p.subject,
        provider: p.provider,
        initial_id_token: '',
        initial_access_token: '',
        initial_refresh_token: '',
        ...(p.use_auto_link !== undefined ? { use_auto_link: p.use_auto_link } : {}),
        ...(p.organization ? { organization: p.organization } : {}),
      }));
    }
    return prepared;
  }

  /** A new identity from a create body (POST or one batch item). */
  draftFromCreate(body: CreateIdentityBody, credentials: PreparedCredentials, now: Date): IdentityDraft {
    const state = body.state ? (body.state as IdentityState) : 'active';
    const identity: Identity = {
      id: randomUUID(),
      schemaId: body.schema_id || this.schemas.defaultSchemaId,
      state,
      stateChangedAt: now,
      traits: body.traits ?? null,
      metadataPublic: body.metadata_public ?? null,
      metadataAdmin: body.metadata_admin ?? null,
      createdAt: now,
      updatedAt: now,
      credentials: [],
      verifiableAddresses: [],
      recoveryAddresses: [],
    };
    this.applyCredentials(identity, credentials, now);
    return {
      identity,
      verifiableCandidates: (body.verifiable_addresses ?? []).map((a, i) => this.importedVerifiable(a, `verifiable_addresses.${i}`, now, new Set())),
      recoveryCandidates: (body.recovery_addresses ?? []).map((a) => this.importedRecovery(a, now, new Set())),
    };
  }

  /** Applies imported credentials: a password replaces the hash; OIDC providers are appended, as in Kratos. */
  applyCredentials(identity: Identity, prepared: PreparedCredentials, now: Date): void {
    const upsert = (type: CredentialType, change: (c: Credential) => void) => {
      let credential = identity.credentials.find((c) => c.type === type);
      if (!credential) {
        credential = { id: randomUUID(), type, identifiers: [], config: {}, version: 0, createdAt: now, updatedAt: now };
        identity.credentials.push(credential);
      }
      change(credential);
      credential.updatedAt = now;
    };
    if (prepared.password) {
      upsert('password', (c) => {
        c.config = { ...c.config, hashed_password: prepared.password!.hashedPassword };
      });
    }
    if (prepared.oidcProviders) {
      upsert('oidc', (c) => {
        const providers = [...((c.config.providers as OidcProvider[] | undefined) ?? [])];
        for (const p of prepared.oidcProviders!) {
          if (!providers.some((q) => q.provider === p.provider && q.subject === p.subject)) providers.push(p);
        }
        c.config = { ...c.config, providers };
        c.identifiers = providers.map((p) => `${p.provider}:${p.subject}`);
      });
    }
  }

  /**
   * Candidate addresses from a request (import, PUT or PATCH). Values are normalised as derived ones are, so an
   * imported `Foo@Example.com` keeps its verification state; an id is kept only when it is one of `ownIds`.
   */
  importedVerifiable(
    a: VerifiableIdentityAddressImport | Record<string, unknown>,
    field: string,
    now: Date,
    ownIds: Set<string>,
    existing?: VerifiableAddress,
  ): VerifiableAddress {
    const src = a as VerifiableIdentityAddressImport;
    const via = typeof src.via === 'string' && src.via ? src.via : 'email';
    const verified = src.verified === true;
    const status = src.status === undefined || src.status === null || src.status === '' ? undefined : src.status;
    if (status !== undefined && !VERIFIABLE_ADDRESS_STATUSES.includes(status)) {
      throw ApiError.badRequest(`${field}.status must be one of the following values: ${VERIFIABLE_ADDRESS_STATUSES.join(', ')}`);
    }
    const verifiedAt = parseImportedDate(src.verified_at, `${field}.verified_at`) ?? (verified ? (existing?.verifiedAt ?? now) : null);
    return {
      id: typeof src.id === 'string' && ownIds.has(src.id) ? src.id : randomUUID(),
      value: normaliseAddressValue(via, String(src.value ?? '')),
      via,
      verified,
      status: status ?? (verified ? 'completed' : 'pending'),
      verifiedAt,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
  }

  importedRecovery(a: RecoveryIdentityAddressImport | Record<string, unknown>, now: Date, ownIds: Set<string>, existing?: RecoveryAddress): RecoveryAddress {
    const src = a as RecoveryIdentityAddressImport;
    const via = typeof src.via === 'string' && src.via ? src.via : 'email';
    return {
      id: typeof src.id === 'string' && ownIds.has(src.id) ? src.id : randomUUID(),
      value: normaliseAddressValue(via, String(src.value ?? '')),
      via,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
  }

  /**
   * Validates the traits against the identity's schema and applies what the extension derives: password and
   * webauthn identifiers (rebuilt on every write, so a removed email stops being a login), and the address lists.
   * Throws Kratos's 400 for an unknown schema or invalid traits.
   */
  async applyTraits(draft: IdentityDraft, now: Date): Promise<Identity> {
    const { identity } = draft;
    const derivations = await this.schemas.validateTraits(identity.schemaId, identity.traits);
    this.applyIdentifiers(identity, derivations, now);
    identity.verifiableAddresses = mergeAddresses(derivations.verifiableAddresses, draft.verifiableCandidates, (d) => ({
      id: randomUUID(),
      value: d.value,
      via: d.via,
      verified: false,
      status: 'pending',
      verifiedAt: null,
      createdAt: now,
      updatedAt: now,
    }));
    identity.recoveryAddresses = mergeAddresses(derivations.recoveryAddresses, draft.recoveryCandidates, (d) => ({
      id: randomUUID(),
      value: d.value,
      via: d.via,
      createdAt: now,
      updatedAt: now,
    }));
    return identity;
  }

  private applyIdentifiers(identity: Identity, derivations: TraitDerivations, now: Date): void {
    for (const type of ['password', 'webauthn'] as const) {
      const identifiers = derivations.credentialIdentifiers[type];
      const credential = identity.credentials.find((c) => c.type === type);
      if (credential) {
        if (!sameList(credential.identifiers, identifiers)) {
          credential.identifiers = identifiers;
          credential.updatedAt = now;
        }
      } else if (identifiers.length > 0) {
        identity.credentials.push({ id: randomUUID(), type, identifiers, config: {}, version: type === 'webauthn' ? 1 : 0, createdAt: now, updatedAt: now });
      }
    }
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Derived addresses in schema order, each replaced by the candidate with the same (via, value) when there is one. */
function mergeAddresses<A extends { via: string; value: string }, V extends string>(
  derived: Array<DerivedAddress<V>>,
  candidates: A[],
  create: (d: DerivedAddress<V>) => A,
): A[] {
  return derived.map((d) => candidates.find((c) => c.via === d.via && c.value === d.value) ?? create(d));
}
