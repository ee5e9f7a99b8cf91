import type { EventPayloads } from '../events/event-catalogue';
import { toSessionJson } from './session.mapper';
import type { Session } from './session.model';

type SessionCreatedData = EventPayloads['session.created'];

/**
 * What session events carry: the session without its identity, plus the identity id (never the token). The session
 * mapper is untyped (Record<string, unknown>), so its output is asserted to the payload type here, at that one
 * boundary; the key order of the published JSON is the mapper's, then identity_id, then the event's own fields.
 */
function sessionData(session: Session): SessionCreatedData {
  const { identity: _identity, ...rest } = toSessionJson(session, { identity: null, devices: 'list' });
  return { ...(rest as Omit<SessionCreatedData, 'identity_id'>), identity_id: session.identityId };
}

export function sessionCreatedData(session: Session): EventPayloads['session.created'] {
  return sessionData(session);
}

export function sessionExtendedData(session: Session, previousExpiresAt: Date): EventPayloads['session.extended'] {
  return { ...sessionData(session), previous_expires_at: previousExpiresAt.toISOString() };
}

/** A revoked session is published as inactive. */
export function sessionRevokedData(session: Session, reason: EventPayloads['session.revoked']['reason']): EventPayloads['session.revoked'] {
  return { ...sessionData({ ...session, active: false }), reason };
}
