import { z } from 'zod';

/**
 * The shape of each event's `data`, written once: the TypeScript payload types are inferred from these zod schemas
 * (event-catalogue.ts), and the published JSON Schemas and asyncapi.yaml are generated from them (event-schemas.ts).
 * The JSON Schemas are validated with ajv, not zod, so format checks stay as they were (`format`, no extra patterns).
 * `.strict()` objects give `additionalProperties: false` on every payload, which makes a leaked secret a schema
 * violation; credential summaries have no `config`.
 */

const uuid = z.string().meta({ format: 'uuid' });
const time = z.string().meta({ format: 'date-time' });
const nullableTime = z.string().nullable().meta({ format: 'date-time' });

const CredentialSummary = z
  .strictObject({
    type: z.string(),
    identifiers: z.array(z.string()),
    version: z.int().optional(),
    created_at: time.optional(),
    updated_at: time.optional(),
  })
  .meta({ description: 'A credential without its config: hashes and tokens never appear in events.' });

const VerifiableAddress = z.strictObject({
  id: uuid,
  value: z.string(),
  verified: z.boolean(),
  via: z.string(),
  status: z.string(),
  verified_at: time.optional(),
  created_at: time.optional(),
  updated_at: time.optional(),
});

const RecoveryAddress = z.strictObject({
  id: uuid,
  value: z.string(),
  via: z.string(),
  created_at: time.optional(),
  updated_at: time.optional(),
});

export const IdentityData = z
  .strictObject({
    id: uuid,
    credentials: z.record(z.string(), CredentialSummary).optional(),
    schema_id: z.string(),
    schema_url: z.string(),
    state: z.enum(['active', 'inactive']),
    state_changed_at: nullableTime.optional(),
    traits: z.unknown(),
    verifiable_addresses: z.array(VerifiableAddress).optional(),
    recovery_addresses: z.array(RecoveryAddress).optional(),
    metadata_public: z.unknown(),
    metadata_admin: z.unknown().optional(),
    created_at: time,
    updated_at: time,
  })
  .meta({ title: 'Identity', description: 'The identity as GET /admin/identities/{id} returns it, without any credential config.' });

const sessionFields = {
  id: uuid,
  identity_id: uuid,
  active: z.boolean(),
  expires_at: time,
  authenticated_at: time,
  authenticator_assurance_level: z.enum(['aal0', 'aal1', 'aal2', 'aal3']),
  authentication_methods: z.array(z.strictObject({ method: z.string(), aal: z.string(), completed_at: time, provider: z.string().optional() })).optional(),
  issued_at: time,
  devices: z
    .array(
      z.strictObject({
        id: uuid.optional(),
        ip_address: z.string().nullable().optional(),
        user_agent: z.string().nullable().optional(),
        location: z.string().optional(),
      }),
    )
    .nullable()
    .optional(),
};
const SESSION_DESCRIPTION = 'The session without its token or identity, plus the id of its identity.';

export const SessionCreatedData = z.strictObject(sessionFields).meta({ title: 'Session created', description: SESSION_DESCRIPTION });
export const SessionExtendedData = z
  .strictObject({ ...sessionFields, previous_expires_at: time })
  .meta({ title: 'Session extended', description: SESSION_DESCRIPTION });
export const SESSION_REVOKE_REASONS = ['admin', 'logout', 'identity_deactivated', 'identity_deleted', 'identity_sessions_deleted'] as const;
export const SessionRevokedData = z
  .strictObject({ ...sessionFields, reason: z.enum(SESSION_REVOKE_REASONS) })
  .meta({ title: 'Session revoked', description: SESSION_DESCRIPTION });

const recoveryFields = { identity_id: uuid, flow_id: uuid, method: z.enum(['code', 'link']) };
const RECOVERY_DESCRIPTION = 'Which identity and flow; never the code or the link token.';

export const RecoveryLinkCreatedData = z
  .strictObject({ ...recoveryFields, expires_at: time })
  .meta({ title: 'Recovery link created', description: RECOVERY_DESCRIPTION });
export const RecoveryCodeCreatedData = z
  .strictObject({ ...recoveryFields, expires_at: time })
  .meta({ title: 'Recovery code created', description: RECOVERY_DESCRIPTION });
export const RecoveryCompletedData = z
  .strictObject({ ...recoveryFields, session_id: uuid, settings_flow_id: uuid })
  .meta({ title: 'Recovery completed', description: RECOVERY_DESCRIPTION });
