import type { z } from 'zod';
import {
  IdentityData,
  RecoveryCodeCreatedData,
  RecoveryCompletedData,
  RecoveryLinkCreatedData,
  SessionCreatedData,
  SessionExtendedData,
  SessionRevokedData,
} from './event-payloads';

/**
 * Every domain event the service publishes (DESIGN.md section 4), with what it means and the shape of its `data`.
 * Names are `<aggregate>.<past-tense>`; the BullMQ job name and the CloudEvents `type` are this name. Event data
 * never carries secrets. This map is the one source of the event types, their payload types (`EventPayloads`), the
 * JSON Schemas (event-schemas.ts) and asyncapi.yaml.
 */
export const EVENT_DEFINITIONS = {
  'identity.created': {
    summary: 'An identity was created (admin create, batch import or self-service registration). Subject: identity id.',
    data: IdentityData,
  },
  'identity.updated': {
    summary: 'An identity was replaced or patched (traits, state, metadata, credentials). Subject: identity id.',
    data: IdentityData,
  },
  'identity.deleted': { summary: 'An identity and everything that belongs to it were deleted. Subject: identity id.', data: IdentityData },
  'identity.credential.deleted': { summary: 'A credential type was removed from an identity. Subject: identity id.', data: IdentityData },
  'session.created': { summary: 'A session was issued (login, registration or recovery). Subject: session id.', data: SessionCreatedData },
  'session.extended': { summary: "A session's expiry was pushed out by the admin extend call. Subject: session id.", data: SessionExtendedData },
  'session.revoked': {
    summary: 'A session stopped being usable: admin disable, logout, identity deactivation or deletion. Subject: session id.',
    data: SessionRevokedData,
  },
  'recovery.link.created': { summary: 'An admin created a recovery link for an identity. Subject: identity id.', data: RecoveryLinkCreatedData },
  'recovery.code.created': { summary: 'An admin created a recovery code for an identity. Subject: identity id.', data: RecoveryCodeCreatedData },
  'recovery.completed': { summary: 'A recovery link or code was redeemed and granted a session. Subject: identity id.', data: RecoveryCompletedData },
} as const satisfies Record<string, { summary: string; data: z.ZodType }>;

export type EventType = keyof typeof EVENT_DEFINITIONS;

/** The `data` each event type carries, inferred from its schema: `EventRecorderService.record` accepts nothing else. */
export type EventPayloads = { [T in EventType]: z.output<(typeof EVENT_DEFINITIONS)[T]['data']> };

export const EVENT_TYPES = Object.keys(EVENT_DEFINITIONS) as EventType[];

/** Event type → its one-line description. */
export const EVENT_CATALOGUE = Object.fromEntries(EVENT_TYPES.map((t) => [t, EVENT_DEFINITIONS[t].summary])) as { readonly [T in EventType]: string };
