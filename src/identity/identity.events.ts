import type { EventPayloads } from '../events/event-catalogue';
import type { IdentityResponse } from './dto/identity.response';
import { ADMIN_VIEW, IdentityView } from './identity.mapper';
import type { Identity } from './identity.model';

/** The `data` of every identity.* event (one schema: IdentityData in src/events/event-payloads.ts). */
export type IdentityEventData = EventPayloads['identity.created'];

/**
 * The payload of identity.* events: the identity as GET /admin/identities/{id} returns it, without any credential
 * config. `mapper` is the identity reader, which knows the schema URL; the admin view's response type is the payload
 * type, which the compiler checks here (the event tests validate every published payload against its JSON Schema).
 */
export function identityEventData(identity: Identity, mapper: { toJson(identity: Identity, view: IdentityView): IdentityResponse }): IdentityEventData {
  const { credentials, ...rest } = mapper.toJson(identity, ADMIN_VIEW);
  return { ...rest, ...(credentials ? { credentials } : {}) };
}
