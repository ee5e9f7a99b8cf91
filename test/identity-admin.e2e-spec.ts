import type { Identity as SdkIdentity } from '@ory/kratos-client';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IdentityApi } from '@ory/kratos-client';
import { PasswordHasherService } from '../src/identity/credentials/password-hasher.service';
import { identityApi, sdkError } from './support/kratos-sdk';
import { QueueReader, startTestApp, TestApp } from './support/test-app';
import { FAST_HASHING, uniqueEmail } from './support/fixtures';

const vectors = (
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'kratos-hash-vectors.json'), 'utf8')) as {
    vectors: Array<{ format: string; password: string; hash: string }>;
  }
).vectors;

const email = () => uniqueEmail('user');
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

async function raw(app: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.adminUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

describe('identity admin API through @ory/kratos-client (MariaDB)', () => {
  let app: TestApp;
  let sdk: IdentityApi;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql', env: { ...FAST_HASHING } });
    sdk = identityApi(app.adminUrl);
  });
  afterAll(async () => app?.destroy());

  describe('createIdentity', () => {
    it("creates an identity with Kratos's JSON, a Location header and no credential config", async () => {
      const address = email();
      const res = await sdk.createIdentity({
        createIdentityBody: {
          schema_id: 'default',
          traits: { email: address.toUpperCase() },
          credentials: { password: { config: { password: 'a-long-secret' } } },
        },
      });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`${app.config.http.adminBaseUrl}/admin/identities/${res.data.id}`);
      const id = res.data.id;
      expect(Object.keys(res.data)).toEqual([
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
        'created_at',
        'updated_at',
      ]);
      expect(res.data).toMatchObject({
        schema_id: 'default',
        schema_url: `${app.config.http.publicBaseUrl}/schemas/ZGVmYXVsdA`,
        state: 'active',
        traits: { email: address.toUpperCase() },
        metadata_public: null,
        credentials: { password: { type: 'password', identifiers: [address], version: 0 } },
        verifiable_addresses: [{ value: address, verified: false, via: 'email', status: 'pending' }],
        recovery_addresses: [{ value: address, via: 'email' }],
      });
      expect(res.data.credentials!.password.config).toBeUndefined();
      expect(res.data.state_changed_at).toMatch(RFC3339);
      expect(res.data.created_at).toMatch(RFC3339);
      const got = await sdk.getIdentity({ id });
      expect(got.data.metadata_admin).toBeNull();
    });

    it('keeps imported verified addresses that match the traits (any letter case) and drops the others', async () => {
      const address = email();
      const res = await sdk.createIdentity({
        createIdentityBody: {
          schema_id: 'default',
          traits: { email: address },
          verifiable_addresses: [
            { value: address.toUpperCase(), verified: true, via: 'email', status: 'completed' },
            { value: 'other@example.com', verified: true, via: 'email', status: 'completed' },
          ],
          metadata_admin: { tier: 'gold' },
          metadata_public: { plan: 'pro' },
        },
      });
      expect(res.data.verifiable_addresses).toEqual([
        expect.objectContaining({ value: address, verified: true, status: 'completed', verified_at: expect.stringMatching(RFC3339) }),
      ]);
      expect(res.data.metadata_admin).toEqual({ tier: 'gold' });
      expect(res.data.metadata_public).toEqual({ plan: 'pro' });
    });

    it.each(vectors.map((v) => [v.format, v] as const))(
      'imports a %s hash that verifies with its password',
      async (_f, v) => {
        const res = await sdk.createIdentity({
          createIdentityBody: { schema_id: 'default', traits: { email: email() }, credentials: { password: { config: { hashed_password: v.hash } } } },
        });
        expect(res.status).toBe(201);
        const got = await sdk.getIdentity({ id: res.data.id, includeCredential: ['password'] });
        const stored = (got.data.credentials!.password.config as { hashed_password: string }).hashed_password;
        expect(stored).toBe(v.hash);
        await expect(app.app.get(PasswordHasherService).verify(v.password, stored)).resolves.toBe(true);
      },
      20_000,
    );

    it('imports OIDC credentials with provider:subject identifiers', async () => {
      const res = await sdk.createIdentity({
        createIdentityBody: {
          schema_id: 'default',
          traits: { email: email() },
          credentials: { oidc: { config: { providers: [{ provider: 'github', subject: 'Abc123' }] } } },
        },
      });
      expect(res.data.credentials!.oidc).toMatchObject({ type: 'oidc', identifiers: ['github:Abc123'] });
      const got = await sdk.getIdentity({ id: res.data.id, includeCredential: ['oidc'] });
      expect(got.data.credentials!.oidc.config).toEqual({
        providers: [{ subject: 'Abc123', provider: 'github', initial_id_token: '', initial_access_token: '', initial_refresh_token: '' }],
      });
      const duplicate = await sdkError(
        sdk.createIdentity({
          createIdentityBody: {
            schema_id: 'default',
            traits: { email: email() },
            credentials: { oidc: { config: { providers: [{ provider: 'github', subject: 'Abc123' }] } } },
          },
        }),
      );
      expect(duplicate.status).toBe(409);
    });

    it.each([
      ['an unknown format', 'not-a-hash', 'The imported password does not match any known hash format.'],
      ['a malformed bcrypt hash', '$2a$10$tooshort', 'The imported password hash could not be parsed.'],
      [
        'an argon2 hash with costs out of bounds',
        '$argon2id$v=19$m=4194304,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg',
        'The imported password hash declares cost parameters that exceed the bounds enforced by Ory. Re-hash the password with a more conservative configuration before importing.',
      ],
    ])('refuses %s with 400 and stores nothing', async (_what, hash, reason) => {
      const address = email();
      const err = await sdkError(
        sdk.createIdentity({
          createIdentityBody: { schema_id: 'default', traits: { email: address }, credentials: { password: { config: { hashed_password: hash } } } },
        }),
      );
      expect(err.status).toBe(400);
      expect(err.body.error).toMatchObject({ code: 400, status: 'Bad Request', reason });
      const list = await sdk.listIdentities({ credentialsIdentifier: address });
      expect(list.data).toEqual([]);
    });

    it('answers invalid traits with the failing field', async () => {
      const err = await sdkError(sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: 'not-an-email' } } }));
      expect(err.status).toBe(400);
      expect(err.body.error.reason).toBe('I[#/traits/email] S[#/properties/traits/properties/email/format] "not-an-email" is not valid "email"');
    });

    it('answers an unknown schema, an invalid state, unknown fields and malformed JSON with 400', async () => {
      expect((await sdkError(sdk.createIdentity({ createIdentityBody: { schema_id: 'nope', traits: {} } }))).body.error.reason).toBe(
        'Unable to find JSON Schema ID: nope',
      );
      expect(
        (await sdkError(sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: email() }, state: 'frozen' as never } }))).body.error
          .reason,
      ).toBe('identity state is not valid');
      const unknown = await raw(app, 'POST', '/admin/identities', { schema_id: 'default', traits: { email: email() }, schema_url: 'x' });
      expect(unknown.status).toBe(400);
      expect(unknown.body!.error.reason).toBe('json: unknown field "schema_url"');
      const nested = await raw(app, 'POST', '/admin/identities', { schema_id: 'default', traits: { email: email() }, credentials: { totp: { config: {} } } });
      expect(nested.status).toBe(400);
      const malformed = await raw(app, 'POST', '/admin/identities', '{"traits": {');
      expect(malformed.status).toBe(400);
      expect(malformed.body!.error.code).toBe(400);
      const noBody = await fetch(`${app.adminUrl}/admin/identities`, { method: 'POST' });
      expect(noBody.status).toBe(400);
    });

    it('is 409 for a duplicate identifier in any letter case', async () => {
      const address = email();
      await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: address } } });
      const err = await sdkError(sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: address.toUpperCase() } } }));
      expect(err.status).toBe(409);
      expect(err.body.error).toMatchObject({
        code: 409,
        status: 'Conflict',
        message: 'Unable to insert or update resource because a resource with that value exists already',
      });
    });

    it('lets exactly one of 50 concurrent creates with the same email win; the rest are 409, never 500', async () => {
      const address = email();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          raw(app, 'POST', '/admin/identities', {
            schema_id: 'default',
            traits: { email: i % 2 ? address : address.toUpperCase() },
            credentials: { password: { config: { hashed_password: vectors[0].hash } } },
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(49);
      const found = await sdk.listIdentities({ credentialsIdentifier: address });
      expect(found.data).toHaveLength(1);
    });
  });

  describe('getIdentity', () => {
    it('is 404 for unknown and malformed ids', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const err = await sdkError(sdk.getIdentity({ id }));
        expect(err.status).toBe(404);
        expect(err.body.error).toMatchObject({ code: 404, message: 'Unable to locate the resource' });
      }
    });

    it('refuses an invalid include_credential', async () => {
      const { data } = await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: email() } } });
      const res = await raw(app, 'GET', `/admin/identities/${data.id}?include_credential=secret`);
      expect(res.status).toBe(400);
      expect(res.body!.error.reason).toBe('Invalid value `secret` for parameter `include_credential`.');
    });
  });

  describe('listIdentities', () => {
    let ids: string[];
    let app2: TestApp;
    let sdk2: IdentityApi;

    beforeAll(async () => {
      app2 = await startTestApp({ dialect: 'mysql' });
      sdk2 = identityApi(app2.adminUrl);
      const created = await sdk2.batchPatchIdentities({
        patchIdentitiesBody: {
          identities: Array.from({ length: 7 }, (_, i) => ({ create: { schema_id: 'default', traits: { email: `list-${i}@example.com` } } })),
        },
      });
      ids = created.data.identities!.map((r) => r.identity!).sort();
    });
    afterAll(async () => app2?.destroy());

    it('walks keyset pages through the Link header, with no X-Total-Count', async () => {
      const seen: string[] = [];
      let res = await sdk2.listIdentities({ pageSize: 3 });
      expect(res.headers['x-total-count']).toBeUndefined();
      expect(res.headers.link).toBe(
        `</admin/identities?page_size=3&page_token=00000000-0000-0000-0000-000000000000>; rel="first",</admin/identities?page_size=3&page_token=${ids[2]}>; rel="next"`,
      );
      for (;;) {
        seen.push(...res.data.map((i) => i.id));
        const next = /<([^>]+)>; rel="next"/.exec(res.headers.link as string);
        if (!next) break;
        const token = new URL(next[1], 'http://x').searchParams.get('page_token')!;
        res = await sdk2.listIdentities({ pageSize: 3, pageToken: token });
      }
      expect(seen).toEqual(ids);
    });

    it('serves legacy page/per_page with X-Total-Count and Link', async () => {
      const res = await sdk2.listIdentities({ page: 1, perPage: 3 });
      expect(res.data.map((i) => i.id)).toEqual(ids.slice(3, 6));
      expect(res.headers['x-total-count']).toBe('7');
      expect(res.headers.link).toBe(
        '</admin/identities?page=0&per_page=3>; rel="first",</admin/identities?page=2&per_page=3>; rel="next",</admin/identities?page=0&per_page=3>; rel="prev",</admin/identities?page=2&per_page=3>; rel="last"',
      );
      expect(res.data[0].credentials).toBeUndefined();
      expect(res.data[0].metadata_admin).toBeNull();
    });

    it('filters by ids and by credentials_identifier (normalised), with credentials', async () => {
      const byIds = await sdk2.listIdentities({ ids: [ids[1], ids[4]] });
      expect(byIds.data.map((i) => i.id)).toEqual([ids[1], ids[4]]);
      const byIdentifier = await sdk2.listIdentities({ credentialsIdentifier: '  LIST-3@Example.com ' });
      expect(byIdentifier.data).toHaveLength(1);
      expect(byIdentifier.data[0].traits).toEqual({ email: 'list-3@example.com' });
      expect(byIdentifier.data[0].credentials?.password.identifiers).toEqual(['list-3@example.com']);
      expect(byIdentifier.data[0].credentials?.password.config).toBeUndefined();
      expect((await sdk2.listIdentities({ credentialsIdentifier: 'nobody@example.com' })).data).toEqual([]);
    });

    it('includes credential configs only for include_credential', async () => {
      const res = await sdk2.listIdentities({ ids: [ids[0]], includeCredential: ['password'] });
      expect(res.data[0].credentials?.password).toMatchObject({ type: 'password', config: {} });
    });

    it('refuses combined filters, too many ids, bad ids and bad page tokens', async () => {
      expect((await raw(app2, 'GET', `/admin/identities?ids=${ids[0]}&credentials_identifier=x`)).body!.error.reason).toBe(
        'You cannot combine multiple filters in this API',
      );
      const many = Array.from({ length: 501 }, () => `ids=${randomUUID()}`).join('&');
      expect((await raw(app2, 'GET', `/admin/identities?${many}`)).body!.error.reason).toBe('The number of ids to filter must not exceed 500.');
      expect((await raw(app2, 'GET', '/admin/identities?ids=nope')).body!.error.reason).toBe('Invalid UUID value `nope` for parameter `ids`.');
      expect((await raw(app2, 'GET', '/admin/identities?page_token=nope')).status).toBe(400);
      expect((await raw(app2, 'GET', '/admin/identities?page_size=abc')).status).toBe(400);
    });
  });

  describe('updateIdentity (PUT)', () => {
    it('replaces traits, metadata and state; a state change moves state_changed_at; credentials only when given', async () => {
      const address = email();
      const { data: created } = await sdk.createIdentity({
        createIdentityBody: {
          schema_id: 'default',
          traits: { email: address },
          metadata_public: { a: 1 },
          credentials: { password: { config: { hashed_password: vectors[0].hash } } },
        },
      });
      await new Promise((r) => setTimeout(r, 5));
      const newAddress = email();
      const { data: updated } = await sdk.updateIdentity({
        id: created.id,
        updateIdentityBody: { schema_id: 'default', traits: { email: newAddress }, state: 'inactive', metadata_admin: { note: 'x' } },
      });
      expect(updated.state).toBe('inactive');
      expect(updated.state_changed_at).not.toBe(created.state_changed_at);
      expect(updated.metadata_public).toBeNull();
      expect(updated.metadata_admin).toEqual({ note: 'x' });
      expect(updated.credentials!.password.identifiers).toEqual([newAddress]);
      expect(updated.verifiable_addresses!.map((a) => a.value)).toEqual([newAddress]);
      const withHash = await sdk.getIdentity({ id: created.id, includeCredential: ['password'] });
      expect(withHash.data.credentials!.password.config).toEqual({ hashed_password: vectors[0].hash });
      // the old email is free again
      await expect(sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: address } } })).resolves.toMatchObject({ status: 201 });
    });

    it('is 404 for a missing identity, 400 for invalid traits, 409 for a taken email', async () => {
      expect(
        (await sdkError(sdk.updateIdentity({ id: randomUUID(), updateIdentityBody: { schema_id: 'default', traits: { email: email() }, state: 'active' } })))
          .status,
      ).toBe(404);
      const { data: a } = await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: email() } } });
      const taken = email();
      await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: taken } } });
      expect((await sdkError(sdk.updateIdentity({ id: a.id, updateIdentityBody: { schema_id: 'default', traits: {}, state: 'active' } }))).status).toBe(400);
      expect(
        (await sdkError(sdk.updateIdentity({ id: a.id, updateIdentityBody: { schema_id: 'default', traits: { email: taken }, state: 'active' } }))).status,
      ).toBe(409);
      const after = await sdk.getIdentity({ id: a.id });
      expect(after.data.traits).toEqual(a.traits);
    });
  });

  describe('patchIdentity (JSON Patch)', () => {
    let identity: SdkIdentity;

    beforeEach(async () => {
      identity = (await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: email() } } })).data;
    });

    it('applies add, replace and remove, with add below a null metadata_public', async () => {
      const { data } = await sdk.patchIdentity({
        id: identity.id,
        jsonPatch: [
          { op: 'add', path: '/metadata_public/plan', value: 'pro' },
          { op: 'replace', path: '/traits/name', value: { first: 'Ada' } },
          { op: 'add', path: '/metadata_admin', value: { x: 1 } },
          { op: 'remove', path: '/metadata_admin/x' },
          { op: 'replace', path: '/verifiable_addresses/0/verified', value: true },
        ],
      });
      expect(data.metadata_public).toEqual({ plan: 'pro' });
      expect(data.traits).toEqual({ email: (identity.traits as { email: string }).email, name: { first: 'Ada' } });
      expect(data.metadata_admin).toEqual({});
      expect(data.verifiable_addresses![0]).toMatchObject({ id: identity.verifiable_addresses![0].id, verified: true });
    });

    it('refuses /id, /credentials and /state_changed_at, and operations other than add/remove/replace', async () => {
      for (const path of ['/id', '/credentials', '/credentials/password', '/state_changed_at']) {
        const err = await sdkError(sdk.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'replace', path, value: 'x' }] }));
        expect(err.status).toBe(400);
        expect(err.body.error).toMatchObject({ reason: 'An error occured when applying the JSON patch', message: `patch includes denied path: ${path}` });
      }
      const move = await sdkError(sdk.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'move', path: '/traits/x', from: '/traits/email' }] }));
      expect(move.body.error.message).toBe('unsupported operation: move');
    });

    it('refuses paths that would reach object prototypes', async () => {
      for (const path of ['/metadata_public/__proto__/remove/x', '/traits/constructor/prototype/x']) {
        const err = await sdkError(sdk.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'add', path, value: 1 }] }));
        expect(err.status).toBe(400);
      }
      expect(({} as Record<string, unknown>).remove).toBeUndefined();
    });

    it('re-validates the result and changes nothing when it is invalid', async () => {
      const err = await sdkError(
        sdk.patchIdentity({
          id: identity.id,
          jsonPatch: [
            { op: 'add', path: '/metadata_public', value: { a: 1 } },
            { op: 'remove', path: '/traits/email' },
          ],
        }),
      );
      expect(err.status).toBe(400);
      const after = await sdk.getIdentity({ id: identity.id });
      expect(after.data.metadata_public).toBeNull();
      expect(after.data.traits).toEqual(identity.traits);
    });

    it('validates a patched state', async () => {
      const err = await sdkError(sdk.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'replace', path: '/state', value: 'frozen' }] }));
      expect(err.body.error.reason).toBe("The supplied state ('frozen') was not valid. Valid states are ('active', 'inactive').");
      const { data } = await sdk.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
      expect(data.state).toBe('inactive');
      expect(data.state_changed_at).not.toBe(identity.state_changed_at);
    });

    it('is 404 for a missing identity', async () => {
      expect((await sdkError(sdk.patchIdentity({ id: randomUUID(), jsonPatch: [{ op: 'add', path: '/metadata_public', value: {} }] }))).status).toBe(404);
    });
  });

  describe('deleteIdentity', () => {
    it('deletes everything that belongs to the identity (204), then answers 404', async () => {
      const address = email();
      const { data } = await sdk.createIdentity({
        createIdentityBody: { schema_id: 'default', traits: { email: address }, credentials: { password: { config: { password: 'pw-123456' } } } },
      });
      expect((await sdk.deleteIdentity({ id: data.id })).status).toBe(204);
      expect((await sdkError(sdk.deleteIdentity({ id: data.id }))).status).toBe(404);
      expect((await sdkError(sdk.getIdentity({ id: data.id }))).status).toBe(404);
      await expect(sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: address } } })).resolves.toMatchObject({ status: 201 });
    });
  });

  describe('deleteIdentityCredentials', () => {
    it('answers 404 for a missing identity or credential type, with lookup read as lookup_secret', async () => {
      expect((await sdkError(sdk.deleteIdentityCredentials({ id: randomUUID(), type: 'totp' }))).status).toBe(404);
      const { data } = await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: email() } } });
      const totp = await sdkError(sdk.deleteIdentityCredentials({ id: data.id, type: 'totp' }));
      expect(totp.status).toBe(404);
      expect(totp.body.error.reason).toBe('You tried to remove a totp but this user have no totp set up.');
      const lookup = await raw(app, 'DELETE', `/admin/identities/${data.id}/credentials/lookup`);
      expect(lookup.status).toBe(404);
      expect(lookup.body!.error.reason).toBe('You tried to remove a lookup but this user have no lookup set up.');
    });

    it('refuses to remove the last first factor and removes one of two', async () => {
      const { data } = await sdk.createIdentity({
        createIdentityBody: {
          schema_id: 'default',
          traits: { email: email() },
          credentials: {
            password: { config: { hashed_password: vectors[0].hash } },
            oidc: { config: { providers: [{ provider: 'google', subject: randomUUID() }] } },
          },
        },
      });
      expect((await sdk.deleteIdentityCredentials({ id: data.id, type: 'password' })).status).toBe(204);
      const last = await sdkError(sdk.deleteIdentityCredentials({ id: data.id, type: 'oidc', identifier: data.credentials!.oidc.identifiers![0] }));
      expect(last.status).toBe(400);
      expect(last.body.error.reason).toBe('You cannot remove the last first factor credential.');
      const after = await sdk.getIdentity({ id: data.id, includeCredential: ['password'] });
      expect(after.data.credentials!.password.config).toEqual({});
    });
  });

  describe('batchPatchIdentities', () => {
    it('answers per item in input order: created ids, errors with their envelope, null without create', async () => {
      const taken = email();
      await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: taken } } });
      const fresh = email();
      const patchIds = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const { data, status } = await sdk.batchPatchIdentities({
        patchIdentitiesBody: {
          identities: [
            {
              patch_id: patchIds[0],
              create: { schema_id: 'default', traits: { email: fresh }, credentials: { password: { config: { password: 'pw-123456' } } } },
            },
            { patch_id: patchIds[1], create: { schema_id: 'default', traits: { email: taken } } },
            { patch_id: patchIds[2], create: { schema_id: 'default', traits: { email: 'broken' } } },
            {},
            { patch_id: patchIds[3], create: { schema_id: 'default', traits: { email: fresh.toUpperCase() } } },
          ],
        },
      });
      expect(status).toBe(200);
      const results = data.identities!;
      expect(results[0]).toEqual({ action: 'create', identity: expect.any(String), patch_id: patchIds[0] });
      expect(results[1]).toEqual({ action: 'error', patch_id: patchIds[1], error: expect.objectContaining({ code: 409, status: 'Conflict' }) });
      expect(results[2]).toMatchObject({
        action: 'error',
        patch_id: patchIds[2],
        error: { code: 400, reason: expect.stringContaining('is not valid "email"') },
      });
      expect(results[3]).toBeNull();
      expect(results[4]).toMatchObject({ action: 'error', error: { code: 409 } });
      const created = await sdk.getIdentity({ id: results[0].identity! });
      expect(created.data.credentials!.password.identifiers).toEqual([fresh]);
    });

    it('fails the whole request for a bad hash or state in any item, and writes nothing', async () => {
      const address = email();
      const res = await raw(app, 'PATCH', '/admin/identities', {
        identities: [
          { create: { schema_id: 'default', traits: { email: address } } },
          { create: { schema_id: 'default', traits: { email: email() }, credentials: { password: { config: { hashed_password: 'plain' } } } } },
        ],
      });
      expect(res.status).toBe(400);
      expect((await sdk.listIdentities({ credentialsIdentifier: address })).data).toEqual([]);
    });

    it('refuses more than 1000 items and more than 200 plaintext passwords', async () => {
      const items = (n: number, password?: string) =>
        Array.from({ length: n }, () => ({
          create: { schema_id: 'default', traits: { email: email() }, ...(password ? { credentials: { password: { config: { password } } } } : {}) },
        }));
      const tooMany = await raw(app, 'PATCH', '/admin/identities', { identities: items(1001) });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body!.error.reason).toBe('The maximum number of identities per request that can be created or deleted at once is 1000.');
      const tooManyPlain = await raw(app, 'PATCH', '/admin/identities', { identities: items(201, 'secret-pw') });
      expect(tooManyPlain.status).toBe(400);
      expect(tooManyPlain.body!.error.reason).toBe('The maximum number of identities per request that can be created with a plaintext password is 200.');
    });
  });

  describe('events', () => {
    it('publishes identity.created/updated/credential.deleted/deleted with the identity and no secrets', async () => {
      const reader = new QueueReader(app.config.events.queue);
      try {
        const { data } = await sdk.createIdentity({
          createIdentityBody: {
            schema_id: 'default',
            traits: { email: email() },
            credentials: { password: { config: { password: 'very-secret-pw' } }, oidc: { config: { providers: [{ provider: 'gh', subject: randomUUID() }] } } },
          },
        });
        await sdk.patchIdentity({ id: data.id, jsonPatch: [{ op: 'add', path: '/metadata_public', value: { a: 1 } }] });
        await sdk.deleteIdentityCredentials({ id: data.id, type: 'password' });
        await sdk.deleteIdentity({ id: data.id });
        const events = await reader.waitFor((es) => es.filter((e) => e.subject === data.id).length >= 4);
        const mine = events.filter((e) => e.subject === data.id);
        expect(mine.map((e) => e.type)).toEqual(['identity.created', 'identity.updated', 'identity.credential.deleted', 'identity.deleted']);
        for (const e of mine) {
          expect(e.data).toMatchObject({ id: data.id, schema_id: 'default' });
          const text = JSON.stringify(e);
          expect(text).not.toContain('hashed_password');
          expect(text).not.toContain('very-secret-pw');
          expect(text).not.toContain('$argon2');
        }
        expect(mine[2].credentialtype).toBe('password');
      } finally {
        await reader.close();
      }
    });
  });
});
