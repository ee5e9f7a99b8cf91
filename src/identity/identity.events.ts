import type { EventPayloads } from '../events/event-catalogue';
import { ADMIN_VIEW, IdentityView } from './identity.mapper';
import type { Identity } from './identity.model';

/** The `data` of every identity.* event (one schema: IdentityData in src/events/event-payloads.ts). */
export type IdentityEventData = EventPayloads['identity.created'];

/**
 * The payload of identity.* events: the identity as GET /admin/identities/{id} returns it, without any credential
 * config. `mapper` is the IdentityService, which knows the schema URL. The admin mapper is untyped
 * (Record<string, unknown>), so its output is asserted to the payload type here, at that one boundary; the event
 * tests validate every published payload against the generated JSON Schema.
 */
export function identityEventData(identity: Identity, mapper: { toJson(identity: Identity, view: IdentityView): Record<string, unknown> }): IdentityEventData {
  return mapper.toJson(identity, ADMIN_VIEW) as IdentityEventData;
}
