import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { keysetPageHeaders, pagePageHeaders, PaginationHeaders } from '../common/pagination/pagination-headers';
import { isUniqueViolation } from '../database/database-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { EventRecorderService } from '../events/event-recorder.service';
import type { CreateIdentityBody, UpdateIdentityBody } from './dto/create-identity.dto';
import { IdentityDraft, IdentityFactory, INVALID_STATE_REASON } from './identity-factory';
import { identityEventData } from './identity.events';
import type { IdentityResponse } from './dto/identity.response';
import { IdentityLifecycleHooks } from './identity-lifecycle-hooks';
import { IdentityReader } from './identity-reader';
import type { IdentityView } from './identity.mapper';
import { CredentialType, firstFactorCount, Identity, IDENTITY_STATES, IdentityState, OidcProvider } from './identity.model';
import type { ListIdentitiesQuery } from './identity-list-query';
import { applyIdentityPatch, parseIdentityPatch } from './identity-patch';
import { IdentityRepository } from './identity.repository';
import { Clock } from '../common/time/clock';

export const CONFLICT_REASON = 'This identity conflicts with another identity that already exists.';

/** The identity rules of Kratos's identity manager and admin handler. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly factory: IdentityFactory,
    private readonly reader: IdentityReader,
    private readonly uow: UnitOfWork,
    private readonly events: EventRecorderService,
    private readonly hooks: IdentityLifecycleHooks,
    private readonly clock: Clock,
  ) {}

  toJson(identity: Identity, view: IdentityView): IdentityResponse {
    return this.reader.toJson(identity, view);
  }

  async create(body: CreateIdentityBody): Promise<Identity> {
    return this.insertPrepared(await this.prepareCreate(body));
  }

  /** Everything a create does before writing: checks, password hashing, trait validation and derivation. */
  async prepareCreate(body: CreateIdentityBody): Promise<Identity> {
    this.factory.checkCreateBody(body);
    const credentials = await this.factory.prepareCredentials(body.credentials);
    const now = this.clock.now();
    return this.factory.applyTraits(this.factory.draftFromCreate(body, credentials, now), now);
  }

  /** Writes a prepared identity and its `identity.created` event (joins the caller's transaction, if any). */
  async insertPrepared(identity: Identity): Promise<Identity> {
    await this.writeOrConflict(async () => {
      await this.identities.insert([identity]);
      await this.events.record({ type: 'identity.created', subject: identity.id, data: identityEventData(identity, this) });
    });
    return identity;
  }

  /** GET /admin/identities: one page of identities and the pagination headers, at a fixed number of queries. */
  async list(query: ListIdentitiesQuery, requestUrl: string): Promise<{ items: IdentityResponse[]; headers: PaginationHeaders }> {
    const expand = query.includeCredential.size > 0 || query.credentialsIdentifier !== undefined || query.credentialsIdentifierSimilar !== undefined;
    const view: IdentityView = { credentials: expand ? { withConfigFor: query.includeCredential } : 'omit', metadataAdmin: 'always' };
    const { pagination } = query;
    const pageSize = pagination.kind === 'keyset' ? pagination.request.size : pagination.request.perPage;

    let identities: Identity[];
    let hasMore = false;
    let total: number | undefined;
    if (query.credentialsIdentifier !== undefined || query.organizationId !== undefined) {
      // One match at most (identifiers are unique); organizations do not exist here, so that filter matches nothing.
      const id = query.credentialsIdentifier !== undefined ? await this.findIdByCredentialsIdentifier(query.credentialsIdentifier) : null;
      const found = id ? await this.identities.findById(id, { credentials: true }) : null;
      identities = found ? [found] : [];
      total = identities.length;
    } else {
      const filter = {
        ids: query.ids,
        identifierPrefix: query.credentialsIdentifierSimilar?.trim().toLowerCase(),
      };
      if (pagination.kind === 'keyset') {
        const rows = await this.identities.listAfter(pagination.request.token, pageSize + 1, filter, expand);
        hasMore = rows.length > pageSize;
        identities = rows.slice(0, pageSize);
      } else {
        const [rows, count] = await Promise.all([
          this.identities.listOffset(pagination.request.page * pageSize, pageSize, filter, expand),
          this.identities.count(),
        ]);
        identities = rows;
        total = count;
      }
    }

    const headers =
      pagination.kind === 'keyset'
        ? keysetPageHeaders(requestUrl, pageSize, hasMore ? identities[identities.length - 1].id : undefined)
        : pagePageHeaders(requestUrl, pagination.request, total ?? identities.length);
    return { items: identities.map((i) => this.toJson(i, view)), headers };
  }

  /** `credentials_identifier`: normalised for password, webauthn and code identifiers; verbatim for OIDC and SAML. */
  private async findIdByCredentialsIdentifier(identifier: string): Promise<string | null> {
    return (
      (await this.identities.findIdByIdentifier(identifier.trim().toLowerCase(), ['password', 'webauthn', 'code'])) ??
      (await this.identities.findIdByIdentifier(identifier, ['oidc', 'saml']))
    );
  }

  async get(id: string): Promise<Identity> {
    const identity = await this.identities.findById(id, { credentials: true });
    if (!identity) throw ApiError.noRows();
    return identity;
  }

  /** PUT: traits, metadata and state are replaced; credentials only when given; addresses are re-derived. */
  async update(id: string, body: UpdateIdentityBody): Promise<Identity> {
    if (body.state !== undefined && body.state !== '' && !(IDENTITY_STATES as readonly string[]).includes(body.state)) {
      throw ApiError.badRequest(INVALID_STATE_REASON);
    }
    const credentials = await this.factory.prepareCredentials(body.credentials);
    return this.writeOrConflict(async () => {
      const existing = await this.identities.findById(id, { credentials: true, lock: true });
      if (!existing) throw ApiError.noRows();
      const now = this.clock.now();
      const identity: Identity = {
        ...existing,
        schemaId: body.schema_id || existing.schemaId,
        traits: body.traits ?? null,
        metadataPublic: body.metadata_public ?? null,
        metadataAdmin: body.metadata_admin ?? null,
        updatedAt: now,
        credentials: existing.credentials.map((c) => ({ ...c })),
      };
      this.setState(identity, body.state ? (body.state as IdentityState) : existing.state, now);
      this.factory.applyCredentials(identity, credentials, now);
      const draft: IdentityDraft = {
        identity,
        verifiableCandidates: existing.verifiableAddresses,
        recoveryCandidates: existing.recoveryAddresses,
      };
      return this.save(await this.factory.applyTraits(draft, now), existing);
    });
  }

  /** Sets a new password hash (settings flow); without a password credential, one is made from the traits. */
  async setPassword(id: string, hashedPassword: string): Promise<Identity> {
    return this.writeOrConflict(async () => {
      const existing = await this.identities.findById(id, { credentials: true, lock: true });
      if (!existing) throw ApiError.noRows();
      const now = this.clock.now();
      const identity: Identity = { ...existing, updatedAt: now, credentials: existing.credentials.map((c) => ({ ...c })) };
      this.factory.applyCredentials(identity, { password: { hashedPassword } }, now);
      const draft: IdentityDraft = { identity, verifiableCandidates: existing.verifiableAddresses, recoveryCandidates: existing.recoveryAddresses };
      return this.save(await this.factory.applyTraits(draft, now), existing);
    });
  }

  /** PATCH (RFC 6902): add, remove and replace on the identity JSON; the result is validated like a PUT, atomically. */
  async patch(id: string, operations: unknown): Promise<Identity> {
    const ops = parseIdentityPatch(operations);
    return this.writeOrConflict(async () => {
      const existing = await this.identities.findById(id, { credentials: true, lock: true });
      if (!existing) throw ApiError.noRows();
      const document = this.toJson(existing, { credentials: 'omit', metadataAdmin: 'always' });
      const patched = applyIdentityPatch(document, ops);
      const now = this.clock.now();
      const state = patched.state;
      if (!(IDENTITY_STATES as readonly unknown[]).includes(state)) {
        throw ApiError.badRequest(`The supplied state ('${String(state)}') was not valid. Valid states are ('active', 'inactive').`);
      }
      const identity: Identity = {
        ...existing,
        schemaId: typeof patched.schema_id === 'string' && patched.schema_id ? patched.schema_id : existing.schemaId,
        traits: patched.traits ?? null,
        metadataPublic: patched.metadata_public ?? null,
        metadataAdmin: patched.metadata_admin ?? null,
        updatedAt: now,
        credentials: existing.credentials.map((c) => ({ ...c })),
      };
      this.setState(identity, state as IdentityState, now);
      const ownVerifiable = new Map(existing.verifiableAddresses.map((a) => [a.id, a]));
      const ownRecovery = new Map(existing.recoveryAddresses.map((a) => [a.id, a]));
      const asList = (v: unknown): Array<Record<string, unknown>> =>
        Array.isArray(v) ? (v as unknown[]).filter((a): a is Record<string, unknown> => a !== null && typeof a === 'object') : [];
      const draft: IdentityDraft = {
        identity,
        verifiableCandidates: asList(patched.verifiable_addresses).map((a, i) =>
          this.factory.importedVerifiable(a, `verifiable_addresses.${i}`, now, new Set(ownVerifiable.keys()), ownVerifiable.get(String(a.id))),
        ),
        recoveryCandidates: asList(patched.recovery_addresses).map((a) =>
          this.factory.importedRecovery(a, now, new Set(ownRecovery.keys()), ownRecovery.get(String(a.id))),
        ),
      };
      return this.save(await this.factory.applyTraits(draft, now), existing);
    });
  }

  async delete(id: string): Promise<void> {
    await this.uow.run(async () => {
      const existing = await this.identities.findById(id, { credentials: true, lock: true });
      if (!existing) throw ApiError.noRows();
      await this.hooks.emit('identity.deleting', { identityId: id });
      if (!(await this.identities.delete(id))) throw ApiError.noRows();
      await this.events.record({ type: 'identity.deleted', subject: id, data: identityEventData(existing, this) });
    });
  }

  /** DELETE /admin/identities/{id}/credentials/{type}, with Kratos's rules (`lookup` is taken as `lookup_secret`). */
  async deleteCredential(id: string, rawType: string, identifier: string | undefined): Promise<void> {
    const type = rawType === 'lookup' ? 'lookup_secret' : rawType;
    await this.writeOrConflict(async () => {
      const existing = await this.identities.findById(id, { credentials: true, lock: true });
      if (!existing) throw ApiError.noRows();
      const credential = existing.credentials.find((c) => c.type === type);
      if (!credential) throw ApiError.notFound(`You tried to remove a ${rawType} but this user have no ${rawType} set up.`);
      const now = this.clock.now();
      const identity: Identity = { ...existing, updatedAt: now, credentials: existing.credentials.map((c) => ({ ...c })) };
      const target = identity.credentials.find((c) => c.type === type)!;
      switch (type as CredentialType) {
        case 'totp':
        case 'lookup_secret':
        case 'webauthn':
          identity.credentials = identity.credentials.filter((c) => c !== target);
          break;
        case 'password':
        case 'oidc':
        case 'saml': {
          const firstFactors = existing.credentials.reduce((n, c) => n + firstFactorCount(c), 0);
          if (firstFactors < 2) throw ApiError.badRequest('You cannot remove the last first factor credential.');
          if (type === 'password') {
            target.config = {};
          } else {
            if (!identifier) throw ApiError.badRequest('You must provide an identifier to delete this credential.');
            const providers = (target.config.providers as OidcProvider[] | undefined) ?? [];
            const remaining = providers.filter((p) => `${p.provider}:${p.subject}` !== identifier);
            if (remaining.length === providers.length) throw ApiError.notFound(`The identifier \`${identifier}\` was not found among OIDC credentials.`);
            target.config = { ...target.config, providers: remaining };
            target.identifiers = remaining.map((p) => `${p.provider}:${p.subject}`);
            if (remaining.length === 0) identity.credentials = identity.credentials.filter((c) => c !== target);
          }
          target.updatedAt = now;
          break;
        }
        default:
          throw ApiError.badRequest(`Credentials type ${rawType} cannot be deleted.`);
      }
      await this.identities.replace(identity);
      await this.events.record({
        type: 'identity.credential.deleted',
        subject: id,
        data: identityEventData(identity, this),
        extensions: { credentialtype: type },
      });
    });
  }

  /**
   * Replaces a credential's config if it is still `expected`: a password re-hashed after a login must not undo a
   * password change that committed meanwhile. No event: the identity's API form does not change.
   */
  async upgradeCredentialConfig(
    identityId: string,
    type: CredentialType,
    expected: Record<string, unknown>,
    config: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    return this.identities.replaceCredentialConfigIf(identityId, type, expected, config, now);
  }

  private setState(identity: Identity, state: IdentityState, now: Date): void {
    if (identity.state !== state) {
      identity.state = state;
      identity.stateChangedAt = now;
    }
  }

  /** Stores a changed identity; deactivating it ends its sessions in the same transaction. */
  private async save(identity: Identity, previous: Identity): Promise<Identity> {
    await this.identities.replace(identity);
    await this.events.record({ type: 'identity.updated', subject: identity.id, data: identityEventData(identity, this) });
    if (previous.state === 'active' && identity.state === 'inactive') {
      await this.hooks.emit('identity.deactivated', { identityId: identity.id });
    }
    return identity;
  }

  /** Runs a write in a transaction; a unique-index violation (identifier or address taken) becomes Kratos's 409. */
  private async writeOrConflict<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.uow.run(work);
    } catch (err) {
      if (isUniqueViolation(err)) throw ApiError.uniqueViolation(CONFLICT_REASON);
      throw err;
    }
  }
}
