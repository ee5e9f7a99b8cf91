/**
 * Every domain event the service publishes (DESIGN.md section 4). Names are `<aggregate>.<past-tense>`;
 * the BullMQ job name and the CloudEvents `type` are this name. Event data never carries secrets.
 */
export const EVENT_CATALOGUE = {
  'identity.created': 'An identity was created (admin create, batch import or self-service registration). Subject: identity id.',
  'identity.updated': 'An identity was replaced or patched (traits, state, metadata, credentials). Subject: identity id.',
  'identity.deleted': 'An identity and everything that belongs to it were deleted. Subject: identity id.',
  'identity.credential.deleted': 'A credential type was removed from an identity. Subject: identity id.',
  'session.created': 'A session was issued (login, registration or recovery). Subject: session id.',
  'session.extended': 'A session\'s expiry was pushed out by the admin extend call. Subject: session id.',
  'session.revoked': 'A session stopped being usable: admin disable, logout, identity deactivation or deletion. Subject: session id.',
  'recovery.link.created': 'An admin created a recovery link for an identity. Subject: identity id.',
  'recovery.code.created': 'An admin created a recovery code for an identity. Subject: identity id.',
  'recovery.completed': 'A recovery link or code was redeemed and granted a session. Subject: identity id.',
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];
