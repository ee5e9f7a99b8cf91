import type { EventPayloads } from '../events/event-catalogue';
import type { Flow } from '../self-service';
import type { Session } from '../session/session.model';

/** Recovery events say who, which flow and until when; never the code or the link token. */
function created(flow: Flow, method: 'link' | 'code'): EventPayloads['recovery.link.created' | 'recovery.code.created'] {
  return { identity_id: flow.identityId!, flow_id: flow.id, method, expires_at: flow.expiresAt.toISOString() };
}

/** `flow` is an admin-created recovery flow, which always has its identity. */
export function recoveryLinkCreatedData(flow: Flow): EventPayloads['recovery.link.created'] {
  return created(flow, 'link');
}

export function recoveryCodeCreatedData(flow: Flow): EventPayloads['recovery.code.created'] {
  return created(flow, 'code');
}

export function recoveryCompletedData(
  identity: { id: string },
  flow: Flow,
  method: 'link' | 'code',
  session: Session,
  settingsFlow: Flow,
): EventPayloads['recovery.completed'] {
  return { identity_id: identity.id, flow_id: flow.id, method, session_id: session.id, settings_flow_id: settingsFlow.id };
}
