import { Injectable } from '@nestjs/common';
import { SchemaService } from '../schema/schema.service';
import type { IdentityResponse } from './dto/identity.response';
import { IdentityView, toIdentityJson } from './identity.mapper';
import type { CredentialType, Identity, IdentityState } from './identity.model';
import { CredentialMatch, IdentityRepository, LoadOptions } from './identity.repository';

/**
 * What other modules may know about identities: lookups and the JSON forms. Every write goes through IdentityService,
 * which records its event; this reader has none, so no module outside identity can change an identity silently.
 */
@Injectable()
export class IdentityReader {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly schemas: SchemaService,
  ) {}

  findById(id: string, options: Omit<LoadOptions, 'lock'>): Promise<Identity | null> {
    return this.identities.findById(id, options);
  }

  /** Several identities by id, without credentials (for embedding in sessions). */
  findByIds(ids: string[]): Promise<Identity[]> {
    return this.identities.findByIds(ids);
  }

  /** The credential of `type` that has `identifier` (already normalised by the caller), with its identity. */
  findCredentialByIdentifier(identifier: string, type: CredentialType): Promise<CredentialMatch | null> {
    return this.identities.findCredentialByIdentifier(identifier, type);
  }

  /**
   * The identity's state, its row locked until the calling transaction ends: issuing a session or redeeming a
   * recovery secret must not race a deactivation.
   */
  lockState(id: string): Promise<IdentityState | null> {
    return this.identities.lockState(id);
  }

  toJson(identity: Identity, view: IdentityView): IdentityResponse {
    return toIdentityJson(identity, this.schemas.schemaUrl(identity.schemaId), view);
  }
}
