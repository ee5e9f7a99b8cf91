import { Injectable } from '@nestjs/common';
import { applyPatch, deepClone, Operation } from 'fast-json-patch';
import { ApiError } from '../common/errors/api-error';
import { keysetLinkHeader } from '../common/pagination/keyset-pagination';
import { pageLinkHeader } from '../common/pagination/page-pagination';
import { splitRequestUrl } from '../common/pagination/query-string';
import { isUniqueViolation } from '../database/database-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { EventRecorderService } from '../events/event-recorder.service';
import { SchemaService } from '../schema/schema.service';
import { SessionLifecycleService } from '../session/session-lifecycle.service';
import type { CreateIdentityBody, UpdateIdentityBody } from './dto/create-identity.dto';
import { IdentityDraft, IdentityFactory, INVALID_STATE_REASON } from './identity-factory';
import { identityEventData } from './identity.events';
import { IdentityView, toIdentityJson } from './identity.mapper';
import { CredentialType, firstFactorCount, Identity, IDENTITY_STATES, IdentityState, OidcProvider } from './identity.model';
import type { ListIdentitiesQuery } from './identity-list-query';
import { IdentityRepository } from './identity.repository';

export const CONFLICT_REASON = 'This identity conflicts with another identity that already exists.';

const PATCH_FAILED_REASON = 'An error occured when applying the JSON patch';
/** Paths a JSON Patch may not touch (Kratos denies `/stateChangedAt`, in camel case, by mistake; both are denied here). */
const DENIED_PATCH_PATHS = [/^\/id$/, /^\/credentials(\/|$)/, /^\/state_changed_at$/, /^\/stateChangedAt$/];
const PATCH_OPS = ['add', 'remove', 'replace'];
/** Path segments that would reach object prototypes. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

function patchError(message: string): ApiError {
  return new ApiError(400, { reason: PATCH_FAILED_REASON, message });
}

/** The identity rules of Kratos's identity manager and admin handler. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly factory: IdentityFactory,
    private readonly schemas: SchemaService,
    private readonly uow: UnitOfWork,
    private readonly events: EventRecorderService,
    private readonly sessions: SessionLifecycleService,
  ) {}

  toJson(identity: Identity, view: IdentityView): Record<string, unknown> {
    return toIdentityJson(identity, this.schemas.schemaUrl(identity.schemaId), view);
  }

  async create(body: CreateIdentityBody): Promise<Identity> {
    return this.insertPrepared(await this.prepareCreate(body));
  }

  /** Everything a create does before writing: checks, password hashing, trait validation and derivation. */
  async prepareCreate(body: CreateIdentityBody): Promise<Identity> {
    this.factory.checkCreateBody(body);
    const credentials = await this.factory.prepareCredentials(body.credentials);
    const now = new Date();
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
  async list(query: ListIdentitiesQuery, requestUrl: string): Promise<{ items: Array<Record<string, unknown>>; headers: Record<string, string> }> {
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

    const headers: Record<string, string> = {};
    if (pagination.kind === 'keyset') {
      headers.link = keysetLinkHeader(requestUrl, pageSize, hasMore ? identities[identities.length - 1].id : undefined);
    } else {
      const { path, params } = splitRequestUrl(requestUrl);
      params.delete('page');
      params.delete('per_page');
      headers['x-total-count'] = String(total ?? identities.length);
      headers.link = pageLinkHeader(path, pagination.request, total ?? identities.length, params);
    }
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
      const now = new Date();
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
      const now = new Date();
      const identity: Identity = { ...existing, updatedAt: now, credentials: existing.credentials.map((c) => ({ ...c })) };
      this.factory.applyCredentials(identity, { password: { hashedPassword } }, now);
      const draft: IdentityDraft = { identity, verifiableCandidates: existing.verifiableAddresses, recoveryCandidates: existing.recoveryAddresses };
      return this.save(await this.factory.applyTraits(draft, now), existing);
    });
  }

  /** PATCH (RFC 6902): add, remove and replace on the identity JSON; the result is validated like a PUT, atomically. */
  async patch(id: string, operations: unknown): Promise<Identity> {
    const ops = this.checkPatch(operations);
    return this.writeOrConflict(async () => {
      const existing = await this.identities.findById(id, { credentials: true, lock: true });
      if (!existing) throw ApiError.noRows();
      const document = this.toJson(existing, { credentials: 'omit', metadataAdmin: 'always' });
      const patched = this.applyJsonPatch(document, ops);
      const now = new Date();
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
      const asList = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter((a) => a && typeof a === 'object') : []);
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
      await this.sessions.revokeAllForIdentity(id, 'identity_deleted', { remove: true });
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
      const now = new Date();
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
      await this.sessions.revokeAllForIdentity(identity.id, 'identity_deactivated');
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

  private checkPatch(operations: unknown): Operation[] {
    if (!Array.isArray(operations)) throw ApiError.badRequest('The request body must be a JSON Patch document (an array of operations).');
    for (const op of operations as Array<Record<string, unknown>>) {
      if (!op || typeof op !== 'object' || typeof op.op !== 'string' || typeof op.path !== 'string') {
        throw patchError('invalid operation: every operation needs "op" and "path"');
      }
      if (!PATCH_OPS.includes(op.op)) throw patchError(`unsupported operation: ${op.op}`);
      for (const path of [op.path, op.from]) {
        if (typeof path !== 'string') continue;
        // "" is the whole document: replacing or removing it is not an edit of the identity.
        if (path === '') throw patchError('patch includes denied path: "" (the whole identity); patch its members, such as /traits');
        if (!path.startsWith('/')) throw patchError(`invalid JSON pointer: ${JSON.stringify(path)}`);
        if (DENIED_PATCH_PATHS.some((re) => re.test(path))) throw patchError(`patch includes denied path: ${path}`);
        if (path.split('/').some((segment) => FORBIDDEN_SEGMENTS.has(segment))) throw patchError(`patch includes denied path: ${path}`);
      }
      if ((op.op === 'add' || op.op === 'replace') && !('value' in op)) throw patchError(`missing value for operation ${op.op} on ${op.path}`);
    }
    return operations as Operation[];
  }

  /**
   * Applies the patch as Kratos does: `replace` of an object member works like `add` (so it may create the member),
   * and missing or null parent objects are created for `add` (a null `metadata_public` counts as `{}`).
   */
  private applyJsonPatch(document: Record<string, unknown>, ops: Operation[]): Record<string, unknown> {
    let doc = deepClone(document) as Record<string, unknown>;
    for (const original of ops) {
      let op = original;
      const parent = this.ensureParent(doc, op.path, op.op === 'add' || op.op === 'replace');
      if (op.op === 'replace' && parent !== undefined && !Array.isArray(parent)) op = { op: 'add', path: op.path, value: (op as { value: unknown }).value };
      try {
        doc = applyPatch(doc, [op], true, true).newDocument as Record<string, unknown>;
      } catch (err) {
        throw patchError(String((err as Error).message).split('\n')[0]);
      }
    }
    return doc;
  }

  /** Returns the container the path points into, creating missing (or null) objects on the way when `create`. */
  private ensureParent(doc: Record<string, unknown>, path: string, create: boolean): unknown {
    const tokens = path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = doc;
    for (const token of tokens.slice(0, -1)) {
      if (node === null || typeof node !== 'object') return undefined;
      const container = node as Record<string, unknown>;
      if (!Array.isArray(container) && create && (!Object.hasOwn(container, token) || container[token] === null)) container[token] = {};
      // Only own members: never walk into a prototype.
      node = Object.hasOwn(container, token) ? container[token] : undefined;
    }
    return node;
  }
}
