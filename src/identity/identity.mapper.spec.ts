import { ADMIN_VIEW, PUBLIC_VIEW, toIdentityJson } from './identity.mapper';
import type { Identity } from './identity.model';

const at = new Date('2024-05-06T07:08:09.120Z');
const full: Identity = {
  id: 'a3f1c1e2-0000-4000-8000-000000000001',
  schemaId: 'default',
  state: 'active',
  stateChangedAt: at,
  traits: { email: 'ada@example.com' },
  metadataPublic: { plan: 'pro' },
  metadataAdmin: null,
  createdAt: at,
  updatedAt: new Date('2024-05-06T07:08:10.000Z'),
  credentials: [
    { id: 'c1', type: 'password', identifiers: ['ada@example.com'], config: { hashed_password: '$2a$04$x' }, version: 0, createdAt: at, updatedAt: at },
  ],
  verifiableAddresses: [
    { id: 'v1', value: 'ada@example.com', via: 'email', verified: true, status: 'completed', verifiedAt: at, createdAt: at, updatedAt: at },
    { id: 'v2', value: 'ada@example.org', via: 'email', verified: false, status: 'pending', verifiedAt: null, createdAt: at, updatedAt: at },
  ],
  recoveryAddresses: [{ id: 'r1', value: 'ada@example.com', via: 'email', createdAt: at, updatedAt: at }],
};

describe('toIdentityJson', () => {
  it('writes the admin form with every key, in Kratos order', () => {
    const json = toIdentityJson(full, 'http://kratos/schemas/ZGVmYXVsdA', ADMIN_VIEW);
    expect(Object.keys(json)).toEqual([
      'id',
      'credentials',
      'schema_id',
      'schema_url',
      'state',
      'state_changed_at',
      'traits',
      'verifiable_addresses',
      'recovery_addresses',
      'metadata_public',
      'metadata_admin',
      'created_at',
      'updated_at',
    ]);
    expect(json.credentials).toEqual({
      password: {
        type: 'password',
        identifiers: ['ada@example.com'],
        version: 0,
        created_at: '2024-05-06T07:08:09.12Z',
        updated_at: '2024-05-06T07:08:09.12Z',
      },
    });
    expect(Object.keys(json.verifiable_addresses![0])).toEqual(['id', 'value', 'verified', 'via', 'status', 'verified_at', 'created_at', 'updated_at']);
    expect(Object.keys(json.verifiable_addresses![1])).toEqual(['id', 'value', 'verified', 'via', 'status', 'created_at', 'updated_at']);
    expect(json).toMatchObject({ state_changed_at: '2024-05-06T07:08:09.12Z', metadata_admin: null, updated_at: '2024-05-06T07:08:10Z' });
  });

  it('includes a credential config only for the types asked for', () => {
    const json = toIdentityJson(full, 'u', { credentials: { withConfigFor: new Set(['password']) }, metadataAdmin: 'when-set' });
    expect(Object.keys(json.credentials!.password)).toEqual(['type', 'identifiers', 'config', 'version', 'created_at', 'updated_at']);
    expect(json).not.toHaveProperty('metadata_admin');
  });

  it('leaves out what the public form and an identity without addresses do not have', () => {
    const bare = { ...full, stateChangedAt: null, traits: undefined, credentials: [], verifiableAddresses: [], recoveryAddresses: [] };
    expect(Object.keys(toIdentityJson(bare, 'u', PUBLIC_VIEW))).toEqual([
      'id',
      'schema_id',
      'schema_url',
      'state',
      'state_changed_at',
      'traits',
      'metadata_public',
      'created_at',
      'updated_at',
    ]);
    expect(toIdentityJson(bare, 'u', PUBLIC_VIEW)).toMatchObject({ state_changed_at: null, traits: null });
  });
});
