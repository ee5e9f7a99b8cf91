import type { EventType } from './event-catalogue';

/**
 * JSON Schemas (draft-07) of each event's `data`, and of the CloudEvents envelope. They are the contract for
 * subscribers: asyncapi.yaml is generated from them, and the tests validate every published event against them.
 * `additionalProperties: false` on session and recovery data, and the ban on `config` in identity credentials,
 * make a leaked secret a schema violation.
 */

type Schema = Record<string, unknown>;

const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const nullableTime: Schema = { type: ['string', 'null'], format: 'date-time' };

const credentialSummary: Schema = {
  type: 'object',
  required: ['type', 'identifiers'],
  properties: {
    type: { type: 'string' },
    identifiers: { type: 'array', items: { type: 'string' } },
    version: { type: 'integer' },
    created_at: time,
    updated_at: time,
  },
  additionalProperties: false,
  description: 'A credential without its config: hashes and tokens never appear in events.',
};

const verifiableAddress: Schema = {
  type: 'object',
  required: ['id', 'value', 'verified', 'via', 'status'],
  properties: { id: uuid, value: { type: 'string' }, verified: { type: 'boolean' }, via: { type: 'string' }, status: { type: 'string' }, verified_at: time, created_at: time, updated_at: time },
  additionalProperties: false,
};

const recoveryAddress: Schema = {
  type: 'object',
  required: ['id', 'value', 'via'],
  properties: { id: uuid, value: { type: 'string' }, via: { type: 'string' }, created_at: time, updated_at: time },
  additionalProperties: false,
};

export const IDENTITY_DATA_SCHEMA: Schema = {
  title: 'Identity',
  description: 'The identity as GET /admin/identities/{id} returns it, without any credential config.',
  type: 'object',
  required: ['id', 'schema_id', 'schema_url', 'state', 'traits', 'metadata_public', 'created_at', 'updated_at'],
  properties: {
    id: uuid,
    credentials: { type: 'object', additionalProperties: credentialSummary },
    schema_id: { type: 'string' },
    schema_url: { type: 'string' },
    state: { enum: ['active', 'inactive'] },
    state_changed_at: nullableTime,
    traits: {},
    verifiable_addresses: { type: 'array', items: verifiableAddress },
    recovery_addresses: { type: 'array', items: recoveryAddress },
    metadata_public: {},
    metadata_admin: {},
    created_at: time,
    updated_at: time,
  },
  additionalProperties: false,
};

function sessionData(title: string, extra: Record<string, Schema> = {}, required: string[] = []): Schema {
  return {
    title,
    description: 'The session without its token or identity, plus the id of its identity.',
    type: 'object',
    required: ['id', 'identity_id', 'active', 'expires_at', 'authenticated_at', 'issued_at', 'authenticator_assurance_level', ...required],
    properties: {
      id: uuid,
      identity_id: uuid,
      active: { type: 'boolean' },
      expires_at: time,
      authenticated_at: time,
      authenticator_assurance_level: { enum: ['aal0', 'aal1', 'aal2', 'aal3'] },
      authentication_methods: {
        type: 'array',
        items: {
          type: 'object',
          required: ['method', 'aal', 'completed_at'],
          properties: { method: { type: 'string' }, aal: { type: 'string' }, completed_at: time, provider: { type: 'string' } },
          additionalProperties: false,
        },
      },
      issued_at: time,
      devices: {
        type: ['array', 'null'],
        items: {
          type: 'object',
          properties: { id: uuid, ip_address: { type: ['string', 'null'] }, user_agent: { type: ['string', 'null'] }, location: { type: 'string' } },
          additionalProperties: false,
        },
      },
      ...extra,
    },
    additionalProperties: false,
  };
}

function recoveryData(title: string, extra: Record<string, Schema> = {}, required: string[] = []): Schema {
  return {
    title,
    description: 'Which identity and flow; never the code or the link token.',
    type: 'object',
    required: ['identity_id', 'flow_id', 'method', ...required],
    properties: { identity_id: uuid, flow_id: uuid, method: { enum: ['code', 'link'] }, ...extra },
    additionalProperties: false,
  };
}

export const EVENT_DATA_SCHEMAS: Record<EventType, Schema> = {
  'identity.created': IDENTITY_DATA_SCHEMA,
  'identity.updated': IDENTITY_DATA_SCHEMA,
  'identity.deleted': IDENTITY_DATA_SCHEMA,
  'identity.credential.deleted': IDENTITY_DATA_SCHEMA,
  'session.created': sessionData('Session created'),
  'session.extended': sessionData('Session extended', { previous_expires_at: time }, ['previous_expires_at']),
  'session.revoked': sessionData(
    'Session revoked',
    { reason: { enum: ['admin', 'logout', 'identity_deactivated', 'identity_deleted', 'identity_sessions_deleted'] } },
    ['reason'],
  ),
  'recovery.link.created': recoveryData('Recovery link created', { expires_at: time }, ['expires_at']),
  'recovery.code.created': recoveryData('Recovery code created', { expires_at: time }, ['expires_at']),
  'recovery.completed': recoveryData('Recovery completed', { session_id: uuid, settings_flow_id: uuid }, ['session_id', 'settings_flow_id']),
};

/** The CloudEvents 1.0 structured envelope every job's data is; `data` is checked against the type's schema. */
export const CLOUD_EVENT_SCHEMA: Schema = {
  title: 'CloudEvent',
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { ...uuid, description: 'Unique event id, also the BullMQ job id; consumers deduplicate on it' },
    source: { type: 'string', minLength: 1 },
    type: { type: 'string' },
    subject: { type: 'string', description: 'The identity id (identity.* and recovery.*) or the session id (session.*)' },
    time: time,
    datacontenttype: { const: 'application/json' },
    traceparent: { type: 'string', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$', description: 'W3C trace context of the request that caused the event' },
    credentialtype: { type: 'string', description: 'identity.credential.deleted only: the removed credential type' },
    data: { type: 'object' },
  },
  additionalProperties: false,
};
