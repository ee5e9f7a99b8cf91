import { Injectable } from '@nestjs/common';
import { EntityManager, EntityTarget, In, ObjectLiteral } from 'typeorm';
import { bulkInsert, INSERT_CHUNK } from '../database/bulk-insert';
import { entityColumns, rowMapper, selectEntities } from '../database/entity-rows';
import { placeholders } from '../database/placeholders';
import { UnitOfWork } from '../database/unit-of-work';
import { IdentityCredentialEntity, IdentityCredentialIdentifierEntity } from './entities/identity-credential.entity';
import { RecoveryAddressEntity, VerifiableAddressEntity } from './entities/identity-address.entity';
import { IdentityEntity } from './entities/identity.entity';
import { randomUUID } from 'node:crypto';
import type { Credential, CredentialType, Identity, IdentityState } from './identity.model';
import { chunks, groupBy } from '../common/collections';
import { runSql } from '../database/run-sql';

/** A password login's lookup: the credential's config, and the identity it belongs to, completed on demand. */
export interface CredentialMatch {
  identityId: string;
  config: Record<string, unknown>;
  identity(): Promise<Identity>;
}

interface IdentityReads {
  verifiableSelect: string;
  recoverySelect: string;
  verifiableAddress: (row: Record<string, unknown>) => VerifiableAddressEntity;
  recoveryAddress: (row: Record<string, unknown>) => RecoveryAddressEntity;
  loginIdentityColumns: string;
  loginIdentity: (row: Record<string, unknown>) => IdentityEntity;
}

export interface LoadOptions {
  credentials: boolean;
  /** Lock the identity row for the rest of the transaction (PATCH reads, changes and writes atomically). */
  lock?: boolean;
}

export interface ListFilter {
  ids?: string[];
  /** Identities with a password, webauthn, code, OIDC or SAML identifier starting with this (Kratos's preview filter). */
  identifierPrefix?: string;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * The only code that reads and writes identities. Every read costs a fixed number of queries whatever the number of
 * identities (one per table, with `IN (...)`), and writes use multi-row INSERTs.
 */
@Injectable()
export class IdentityRepository {
  private readsCache?: IdentityReads;

  constructor(private readonly uow: UnitOfWork) {}

  private get manager(): EntityManager {
    return this.uow.manager();
  }

  private insertRows<T extends ObjectLiteral>(target: EntityTarget<T>, rows: T[]): Promise<void> {
    return bulkInsert(this.manager, this.uow.sqlDialect, target, rows);
  }

  async insert(identities: Identity[]): Promise<void> {
    if (identities.length === 0) return;
    await this.insertRows(IdentityEntity, identities.map(toIdentityRow));
    await this.insertChildren(identities);
  }

  /** Replaces an identity's row and all its child rows (credentials, identifiers, addresses keep their ids). */
  async replace(identity: Identity): Promise<void> {
    const { id, ...row } = toIdentityRow(identity);
    await this.manager.update(IdentityEntity, { id }, row);
    await this.deleteChildren([identity.id]);
    await this.insertChildren([identity]);
  }

  private async deleteChildren(ids: string[]): Promise<void> {
    await this.manager.delete(IdentityCredentialIdentifierEntity, { identityId: In(ids) });
    await this.manager.delete(IdentityCredentialEntity, { identityId: In(ids) });
    await this.manager.delete(VerifiableAddressEntity, { identityId: In(ids) });
    await this.manager.delete(RecoveryAddressEntity, { identityId: In(ids) });
  }

  private async insertChildren(identities: Identity[]): Promise<void> {
    const credentials: IdentityCredentialEntity[] = [];
    const identifiers: IdentityCredentialIdentifierEntity[] = [];
    const verifiable: VerifiableAddressEntity[] = [];
    const recovery: RecoveryAddressEntity[] = [];
    for (const identity of identities) {
      for (const c of identity.credentials) {
        credentials.push({
          id: c.id,
          identityId: identity.id,
          type: c.type,
          config: JSON.stringify(c.config),
          version: c.version,
          createdAt: c.createdAt,
          updatedAt: c.updatedAt,
        });
        for (const identifier of c.identifiers) {
          identifiers.push({
            id: randomUUID(),
            identityId: identity.id,
            credentialId: c.id,
            type: c.type,
            identifier,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
          });
        }
      }
      for (const a of identity.verifiableAddresses) verifiable.push({ ...a, identityId: identity.id });
      for (const a of identity.recoveryAddresses) recovery.push({ ...a, identityId: identity.id });
    }
    await this.insertRows(IdentityCredentialEntity, credentials);
    await this.insertRows(IdentityCredentialIdentifierEntity, identifiers);
    await this.insertRows(VerifiableAddressEntity, verifiable);
    await this.insertRows(RecoveryAddressEntity, recovery);
  }

  /*
   * Reads are plain SQL through entity-rows.ts: on the hottest routes TypeORM's query building and entity hydration
   * cost more CPU than the statements themselves. Placeholders are `?` and every IN list is spelled out, which MySQL
   * and SQLite read alike.
   */

  async findById(id: string, options: LoadOptions): Promise<Identity | null> {
    const lock = options.lock ? this.uow.sqlDialect.lockClause() : '';
    const rows = await this.entities(IdentityEntity, `WHERE id = ?${lock}`, [id]);
    if (rows.length === 0) return null;
    const [identity] = await this.hydrate(rows, options.credentials);
    return identity;
  }

  /** Several identities by id (no credentials), for embedding in sessions; one query per table. */
  async findByIds(ids: string[]): Promise<Identity[]> {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    return this.hydrate(await this.entities(IdentityEntity, `WHERE id IN (${placeholders(unique)})`, unique), false);
  }

  /** Keyset page: identities with an id greater than `afterId`, in id order. */
  async listAfter(afterId: string, limit: number, filter: ListFilter, credentials: boolean): Promise<Identity[]> {
    const where = this.filtered(filter);
    const rows = await this.entities(IdentityEntity, `WHERE ${where.sql} AND id > ? ORDER BY id LIMIT ?`, [...where.params, afterId, limit]);
    return this.hydrate(rows, credentials);
  }

  /** Offset page (Kratos's legacy `page`/`per_page`), in id order. */
  async listOffset(offset: number, limit: number, filter: ListFilter, credentials: boolean): Promise<Identity[]> {
    const where = this.filtered(filter);
    const rows = await this.entities(IdentityEntity, `WHERE ${where.sql} ORDER BY id LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return this.hydrate(rows, credentials);
  }

  private filtered(filter: ListFilter): { sql: string; params: unknown[] } {
    const clauses = ['1 = 1'];
    const params: unknown[] = [];
    if (filter.ids) {
      if (filter.ids.length === 0) return { sql: '1 = 0', params: [] };
      clauses.push(`id IN (${placeholders(filter.ids)})`);
      params.push(...filter.ids);
    }
    if (filter.identifierPrefix !== undefined) {
      // "!" as the LIKE escape character reads the same in MySQL and SQLite (a backslash does not).
      const escaped = filter.identifierPrefix.replace(/[!%_]/g, (c) => `!${c}`);
      clauses.push(
        `id IN (SELECT ici.identity_id FROM identity_credential_identifiers ici WHERE ici.type IN ('password', 'webauthn', 'code', 'oidc', 'saml') AND ici.identifier LIKE ? ESCAPE '!')`,
      );
      params.push(`${escaped}%`);
    }
    return { sql: clauses.join(' AND '), params };
  }

  private entities<T extends ObjectLiteral>(target: EntityTarget<T>, clause: string, params: unknown[]): Promise<T[]> {
    return selectEntities(this.manager, this.uow.sqlDialect, target, clause, params);
  }

  /**
   * Replaces one credential's config only if it is still `expected` (a password re-hashed after login must not undo a
   * password change that landed meanwhile). Returns whether it was replaced.
   */
  async replaceCredentialConfigIf(
    identityId: string,
    type: CredentialType,
    expected: Record<string, unknown>,
    config: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    const result = await this.manager.update(
      IdentityCredentialEntity,
      { identityId, type, config: JSON.stringify(expected) },
      { config: JSON.stringify(config), updatedAt: now },
    );
    return (result.affected ?? 0) > 0;
  }

  /** The identity's state, with its row locked for the calling transaction (issuing a session races deactivation). */
  async lockState(id: string): Promise<IdentityState | null> {
    const [row] = await runSql<Array<{ state: string }>>(this.manager, `SELECT state FROM identities WHERE id = ?${this.uow.sqlDialect.lockClause()}`, [id]);
    return row ? (row.state as IdentityState) : null;
  }

  async count(): Promise<number> {
    return this.manager.count(IdentityEntity);
  }

  /**
   * The credential of `type` that has `identifier`, with its identity's row: what a password login verifies, in one
   * statement. `identity()` completes the identity (its addresses, no credentials) once the password is right.
   */
  async findCredentialByIdentifier(identifier: string, type: CredentialType): Promise<CredentialMatch | null> {
    const [row] = await runSql<Array<Record<string, unknown> & { config: string }>>(
      this.manager,
      `SELECT c.config, ${this.reads.loginIdentityColumns} FROM identity_credential_identifiers i JOIN identity_credentials c ON c.id = i.credential_id JOIN identities d ON d.id = c.identity_id WHERE i.identifier = ? AND i.type = ? AND c.type = ? LIMIT 1`,
      [identifier, type, type],
    );
    if (!row) return null;
    const entity = this.reads.loginIdentity(row);
    return {
      identityId: entity.id,
      config: JSON.parse(row.config) as Record<string, unknown>,
      identity: async () => (await this.hydrate([entity], false))[0],
    };
  }

  /** The identity that has `identifier` among the credentials of the given types (the login lookup). */
  async findIdByIdentifier(identifier: string, types: CredentialType[]): Promise<string | null> {
    const rows = await runSql<Array<{ identity_id: string }>>(
      this.manager,
      `SELECT identity_id FROM identity_credential_identifiers WHERE identifier = ? AND type IN (${placeholders(types)}) LIMIT 1`,
      [identifier, ...types],
    );
    return rows[0]?.identity_id ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.manager.delete(IdentityEntity, { id });
    return (result.affected ?? 0) > 0;
  }

  /** Which of the given `type:identifier` pairs are already taken. */
  async takenIdentifiers(pairs: Array<{ type: string; identifier: string }>): Promise<Set<string>> {
    const taken = new Set<string>();
    const byType = groupBy(
      pairs,
      (p) => p.type,
      (p) => p.identifier,
    );
    for (const [type, values] of byType) {
      for (const chunk of chunks(values, INSERT_CHUNK)) {
        const rows = await this.manager.find(IdentityCredentialIdentifierEntity, {
          select: { type: true, identifier: true },
          where: { type, identifier: In(chunk) },
        });
        for (const r of rows) taken.add(`${r.type}:${r.identifier}`);
      }
    }
    return taken;
  }

  /** Which of the given `via:value` addresses are already taken, per address kind. */
  async takenAddresses(kind: 'verifiable' | 'recovery', pairs: Array<{ via: string; value: string }>): Promise<Set<string>> {
    const target = kind === 'verifiable' ? VerifiableAddressEntity : RecoveryAddressEntity;
    const taken = new Set<string>();
    for (const [via, values] of groupBy(
      pairs,
      (p) => p.via,
      (p) => p.value,
    )) {
      for (const chunk of chunks(values, INSERT_CHUNK)) {
        const rows = await this.manager.find(target, { select: { via: true, value: true }, where: { via, value: In(chunk) } });
        for (const r of rows) taken.add(`${r.via}:${r.value}`);
      }
    }
    return taken;
  }

  /**
   * Both kinds of address of the identities, in one statement (a UNION ALL: one round trip instead of two on every
   * identity read), each kind in (created_at, id) order.
   */
  private async addressesOf(ids: string[]): Promise<{ verifiable: VerifiableAddressEntity[]; recovery: RecoveryAddressEntity[] }> {
    const byIdentity = `WHERE identity_id IN (${placeholders(ids)})`;
    const { verifiableSelect, recoverySelect, verifiableAddress, recoveryAddress } = this.reads;
    const rows = await runSql<Array<Record<string, unknown>>>(
      this.manager,
      `${verifiableSelect} ${byIdentity} UNION ALL ${recoverySelect} ${byIdentity} ORDER BY kind DESC, created_at, id`,
      [...ids, ...ids],
    );
    const verifiable: VerifiableAddressEntity[] = [];
    const recovery: RecoveryAddressEntity[] = [];
    for (const row of rows) {
      if (row.kind === 'v') verifiable.push(verifiableAddress(row));
      else recovery.push(recoveryAddress(row));
    }
    return { verifiable, recovery };
  }

  /** Column lists and row mappers of the hand-written reads, built once from the entities' metadata. */
  private get reads(): IdentityReads {
    return (this.readsCache ??= (() => {
      const recoveryColumns = this.manager.connection.getMetadata(RecoveryAddressEntity).columns.map((c) => c.databaseName);
      const extra = this.manager.connection
        .getMetadata(VerifiableAddressEntity)
        .columns.map((c) => c.databaseName)
        .filter((name) => !recoveryColumns.includes(name));
      const dialect = this.uow.sqlDialect;
      return {
        // The verifiable kind's own columns come last, and are NULL on the recovery side of the UNION.
        verifiableSelect: `SELECT 'v' AS kind, ${[...recoveryColumns, ...extra].join(', ')} FROM identity_verifiable_addresses`,
        recoverySelect: `SELECT 'r' AS kind, ${[...recoveryColumns, ...extra.map((name) => `NULL AS ${name}`)].join(', ')} FROM identity_recovery_addresses`,
        verifiableAddress: rowMapper(this.manager, dialect, VerifiableAddressEntity),
        recoveryAddress: rowMapper(this.manager, dialect, RecoveryAddressEntity),
        loginIdentityColumns: entityColumns(this.manager, IdentityEntity, 'd'),
        loginIdentity: rowMapper(this.manager, dialect, IdentityEntity, 'd'),
      };
    })());
  }

  private async hydrate(rows: IdentityEntity[], withCredentials: boolean): Promise<Identity[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const byIdentity = `WHERE identity_id IN (${placeholders(ids)})`;
    const [{ verifiable, recovery }, credentials, identifiers] = await Promise.all([
      this.addressesOf(ids),
      withCredentials ? this.entities(IdentityCredentialEntity, byIdentity, ids) : Promise.resolve([]),
      withCredentials ? this.entities(IdentityCredentialIdentifierEntity, `${byIdentity} ORDER BY created_at, identifier`, ids) : Promise.resolve([]),
    ]);
    const identifiersByCredential = groupBy(
      identifiers,
      (i) => i.credentialId,
      (i) => i.identifier,
    );
    const credentialsByIdentity = groupBy(
      credentials,
      (c) => c.identityId,
      (c): Credential => ({
        id: c.id,
        type: c.type as CredentialType,
        identifiers: identifiersByCredential.get(c.id) ?? [],
        config: JSON.parse(c.config) as Record<string, unknown>,
        version: c.version,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
      }),
    );
    const verifiableByIdentity = groupBy(
      verifiable,
      (a) => a.identityId,
      ({ identityId: _, ...a }) => a,
    );
    const recoveryByIdentity = groupBy(
      recovery,
      (a) => a.identityId,
      ({ identityId: _, ...a }) => a,
    );
    return rows.map((r) => ({
      id: r.id,
      schemaId: r.schemaId,
      state: r.state as IdentityState,
      stateChangedAt: r.stateChangedAt,
      traits: parseJson(r.traits),
      metadataPublic: parseJson(r.metadataPublic),
      metadataAdmin: parseJson(r.metadataAdmin),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      credentials: (credentialsByIdentity.get(r.id) ?? []).sort((a, b) => a.type.localeCompare(b.type)),
      verifiableAddresses: verifiableByIdentity.get(r.id) ?? [],
      recoveryAddresses: recoveryByIdentity.get(r.id) ?? [],
    }));
  }
}

function toIdentityRow(identity: Identity): IdentityEntity {
  return {
    id: identity.id,
    schemaId: identity.schemaId,
    state: identity.state,
    stateChangedAt: identity.stateChangedAt,
    traits: JSON.stringify(identity.traits ?? null),
    metadataPublic: jsonOrNull(identity.metadataPublic),
    metadataAdmin: jsonOrNull(identity.metadataAdmin),
    createdAt: identity.createdAt,
    updatedAt: identity.updatedAt,
  };
}
