import { Injectable } from '@nestjs/common';
import { ApiError, errorEnvelope } from '../common/errors/api-error';
import { isUniqueViolation } from '../database/database-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { EventRecorderService } from '../events/event-recorder.service';
import { identityEventData } from './identity.events';
import type { IdentityPatchResponse, PatchIdentitiesBody } from './dto/batch-patch-identities.dto';
import { IdentityFactory, PreparedCredentials } from './identity-factory';
import type { Identity } from './identity.model';
import { IdentityRepository } from './identity.repository';
import { CONFLICT_REASON, IdentityService } from './identity.service';
import { Clock } from '../common/time/clock';

export const MAX_BATCH_ITEMS = 1000;
export const MAX_BATCH_PLAINTEXT_PASSWORDS = 200;

interface Candidate {
  index: number;
  identity: Identity;
}

/** The unique values an identity claims: credential identifiers and both kinds of address. */
function claimedKeys(identity: Identity): string[] {
  return [
    ...identity.credentials.flatMap((c) => c.identifiers.map((i) => `credential:${c.type}:${i}`)),
    ...identity.verifiableAddresses.map((a) => `verifiable:${a.via}:${a.value}`),
    ...identity.recoveryAddresses.map((a) => `recovery:${a.via}:${a.value}`),
  ];
}

/**
 * PATCH /admin/identities, as Kratos v1.3+ answers it: one result per patch, in order. A request-level problem (too
 * many items, a bad state or hash in any item) fails the whole request; schema errors and conflicts fail only their
 * item, and every valid item is created. Valid items are written with multi-row INSERTs in one transaction.
 */
@Injectable()
export class IdentityBatchService {
  constructor(
    private readonly factory: IdentityFactory,
    private readonly identities: IdentityRepository,
    private readonly identityService: IdentityService,
    private readonly uow: UnitOfWork,
    private readonly events: EventRecorderService,
    private readonly clock: Clock,
  ) {}

  async batch(body: PatchIdentitiesBody): Promise<{ identities: Array<IdentityPatchResponse | null> }> {
    const patches = body.identities;
    if (patches.length > MAX_BATCH_ITEMS) {
      throw ApiError.badRequest(`The maximum number of identities per request that can be created or deleted at once is ${MAX_BATCH_ITEMS}.`);
    }
    for (const patch of patches) if (patch.create) this.factory.checkCreateBody(patch.create);
    const plaintext = patches.filter((p) => p.create && this.factory.hasPlaintextPassword(p.create)).length;
    if (plaintext > MAX_BATCH_PLAINTEXT_PASSWORDS) {
      throw ApiError.badRequest(
        `The maximum number of identities per request that can be created with a plaintext password is ${MAX_BATCH_PLAINTEXT_PASSWORDS}.`,
      );
    }
    const prepared = await Promise.all(
      patches.map((p) => (p.create ? this.factory.prepareCredentials(p.create.credentials) : Promise.resolve<PreparedCredentials>({}))),
    );

    const now = this.clock.now();
    const results: Array<IdentityPatchResponse | null> = patches.map(() => null);
    const candidates: Candidate[] = [];
    for (const [index, patch] of patches.entries()) {
      if (!patch.create) continue;
      try {
        const draft = this.factory.draftFromCreate(patch.create, prepared[index], now);
        candidates.push({ index, identity: await this.factory.applyTraits(draft, now) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        results[index] = this.errorResult(patch.patch_id, err);
      }
    }

    const valid = await this.withoutConflicts(candidates, (c) => (results[c.index] = this.errorResult(patches[c.index].patch_id, this.conflict())));
    try {
      await this.uow.run(() => this.insert(valid.map((c) => c.identity)));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // A concurrent writer took a value between the check and the insert: insert one by one to find which.
      for (const c of [...valid]) {
        try {
          await this.uow.run(() => this.insert([c.identity]));
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
          results[c.index] = this.errorResult(patches[c.index].patch_id, this.conflict());
          valid.splice(valid.indexOf(c), 1);
        }
      }
    }
    for (const c of valid) {
      const patchId = patches[c.index].patch_id;
      results[c.index] = { action: 'create', identity: c.identity.id, ...(patchId ? { patch_id: patchId } : {}) };
    }
    return { identities: results };
  }

  private async insert(identities: Identity[]): Promise<void> {
    await this.identities.insert(identities);
    await this.events.record(
      ...identities.map((i) => ({ type: 'identity.created' as const, subject: i.id, data: identityEventData(i, this.identityService) })),
    );
  }

  /** Drops candidates whose identifiers or addresses are already stored or claimed by an earlier item of the batch. */
  private async withoutConflicts(candidates: Candidate[], onConflict: (c: Candidate) => void): Promise<Candidate[]> {
    const identifiers = candidates.flatMap((c) => c.identity.credentials.flatMap((cr) => cr.identifiers.map((identifier) => ({ type: cr.type, identifier }))));
    const [takenIdentifiers, takenVerifiable, takenRecovery] = await Promise.all([
      this.identities.takenIdentifiers(identifiers),
      this.identities.takenAddresses(
        'verifiable',
        candidates.flatMap((c) => c.identity.verifiableAddresses),
      ),
      this.identities.takenAddresses(
        'recovery',
        candidates.flatMap((c) => c.identity.recoveryAddresses),
      ),
    ]);
    const claimed = new Set<string>([
      ...[...takenIdentifiers].map((k) => `credential:${k}`),
      ...[...takenVerifiable].map((k) => `verifiable:${k}`),
      ...[...takenRecovery].map((k) => `recovery:${k}`),
    ]);
    const valid: Candidate[] = [];
    for (const candidate of candidates) {
      const keys = claimedKeys(candidate.identity);
      if (keys.some((k) => claimed.has(k))) {
        onConflict(candidate);
        continue;
      }
      for (const k of keys) claimed.add(k);
      valid.push(candidate);
    }
    return valid;
  }

  private conflict(): ApiError {
    return ApiError.uniqueViolation(CONFLICT_REASON);
  }

  private errorResult(patchId: string | undefined, err: ApiError): IdentityPatchResponse {
    return { action: 'error', ...(patchId ? { patch_id: patchId } : {}), error: errorEnvelope(err.status, err).error };
  }
}
