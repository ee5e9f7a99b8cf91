import { formatTime } from '../common/time/rfc3339';
import type { IdentityResponse } from '../identity/dto/identity.response';
import type { SessionDevice as SessionDeviceJson, SessionResponse } from './dto/session.response';
import { isLive, Session, SessionDevice } from './session.model';

export interface SessionView {
  /** The identity JSON to embed (admin or public form), or null when not expanded. */
  identity: IdentityResponse | null;
  /** Whether the identity (when embedded) is active; an inactive identity makes the session inactive. */
  identityActive?: boolean;
  /** Devices listed, or `null` where Kratos writes null for unexpanded devices (lists). */
  devices: 'list' | 'null';
}

function deviceJson(d: SessionDevice): SessionDeviceJson {
  return { id: d.id, ip_address: d.ipAddress, user_agent: d.userAgent, location: d.location ?? '' };
}

/** Kratos's session JSON; `active` is computed as Kratos computes it when marshalling. */
export function toSessionJson(session: Session, view: SessionView, now = new Date()): SessionResponse {
  return {
    id: session.id,
    active: isLive(session, now) && view.identityActive !== false,
    expires_at: formatTime(session.expiresAt),
    authenticated_at: formatTime(session.authenticatedAt),
    authenticator_assurance_level: session.aal,
    authentication_methods: session.authenticationMethods.map((m) => ({
      method: m.method,
      aal: m.aal,
      completed_at: formatTime(m.completedAt),
      ...(m.provider ? { provider: m.provider } : {}),
    })),
    issued_at: formatTime(session.issuedAt),
    identity: view.identity,
    devices: view.devices === 'list' ? session.devices.map(deviceJson) : null,
  };
}
