import { randomUUID } from 'node:crypto';
import type { FrontendApi, IdentityApi } from '@ory/kratos-client';
import { Configuration, FrontendApi as FrontendApiClass } from '@ory/kratos-client';
import { IdentityRepository } from '../src/identity/identity.repository';
import { FlowRepository } from '../src/self-service/flows/flow.repository';
import { SessionRepository } from '../src/session/session.repository';
import { identityApi, registerWithPassword, sdkError, submitPasswordLogin } from './support/kratos-sdk';
import { QueueReader, startTestApp, TestApp } from './support/test-app';
import { FAST_HASHING, uniqueEmail } from './support/fixtures';

const PASSWORD = 'correct horse battery staple';
const MD5 = { password: '123456', hash: '$md5$4QrcOUm6Wau+VuBX8g+IPg==' };
const email = () => uniqueEmail('s');

describe('sessions: native registration and login, whoami, logout, admin session API (MariaDB)', () => {
  let app: TestApp;
  let frontend: FrontendApi;
  let admin: IdentityApi;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql', env: { ...FAST_HASHING } });
    frontend = new FrontendApiClass(new Configuration({ basePath: app.publicUrl }));
    admin = identityApi(app.adminUrl);
  });
  afterAll(async () => app?.destroy());

  const register = (address = email(), password = PASSWORD) => registerWithPassword(frontend, address, password);
  const login = async (identifier: string, password = PASSWORD) => (await submitPasswordLogin(frontend, identifier, password)).data;
  const loginError = (identifier: string, password: string) => sdkError(submitPasswordLogin(frontend, identifier, password));

  describe('registration', () => {
    it("creates a flow shaped like Kratos's native registration flow", async () => {
      const { data } = await frontend.createNativeRegistrationFlow();
      expect(data).toMatchObject({ type: 'api', state: 'choose_method', request_url: `${app.config.http.publicBaseUrl}/self-service/registration/api` });
      expect(data.ui.action).toBe(`${app.config.http.publicBaseUrl}/self-service/registration?flow=${data.id}`);
      const names = data.ui.nodes.map((n) => (n.attributes as { name: string }).name);
      expect(names).toEqual(['csrf_token', 'traits.email', 'traits.name.first', 'traits.name.last', 'password', 'method']);
    });

    it('registers an identity and returns a session and its token', async () => {
      const address = email();
      const result = await register(address);
      expect(result.session_token).toMatch(/^ory_st_/);
      expect(result.identity).toMatchObject({ traits: { email: address }, state: 'active' });
      expect(result.session).toMatchObject({ active: true, authenticator_assurance_level: 'aal1', identity: { id: result.identity.id } });
      expect(result.continue_with).toEqual([{ action: 'set_ory_session_token', ory_session_token: result.session_token }]);
      const who = await frontend.toSession({ xSessionToken: result.session_token });
      expect(who.data.identity!.id).toBe(result.identity.id);
    });

    it('puts schema and password problems on the form nodes (400 with the flow)', async () => {
      const flow = await frontend.createNativeRegistrationFlow();
      const submit = (traits: object, password: string) =>
        sdkError(frontend.updateRegistrationFlow({ flow: flow.data.id, updateRegistrationFlowBody: { method: 'password', traits, password } }));
      const nodeMessages = (body: any, name: string) => body.ui.nodes.find((n: any) => n.attributes.name === name).messages;
      let err = await submit({}, PASSWORD);
      expect(err.status).toBe(400);
      expect(nodeMessages(err.body, 'traits.email')).toEqual([
        { id: 4000002, text: 'Property email is missing.', type: 'error', context: { property: 'email' } },
      ]);
      err = await submit({ email: 'nope' }, PASSWORD);
      expect(nodeMessages(err.body, 'traits.email')[0]).toMatchObject({ id: 4000040 });
      expect((err.body as any).ui.nodes.find((n: any) => n.attributes.name === 'traits.email').attributes.value).toBe('nope');
      err = await submit({ email: email() }, 'short');
      expect(nodeMessages(err.body, 'password')).toEqual([
        { id: 4000032, text: 'The password must be at least 8 characters long, but got 5.', type: 'error', context: { actual_length: 5, min_length: 8 } },
      ]);
      const address = email();
      err = await submit({ email: address }, `${address}x`);
      expect(nodeMessages(err.body, 'password')[0]).toMatchObject({ id: 4000031 });
    });

    it('refuses a taken identifier with message 4000007', async () => {
      const address = email();
      await register(address);
      const flow = await frontend.createNativeRegistrationFlow();
      const err = await sdkError(
        frontend.updateRegistrationFlow({
          flow: flow.data.id,
          updateRegistrationFlowBody: { method: 'password', traits: { email: address.toUpperCase() }, password: PASSWORD },
        }),
      );
      expect(err.status).toBe(400);
      expect((err.body as any).ui.messages).toEqual([
        { id: 4000007, text: 'An account with the same identifier (email, phone, username, ...) exists already.', type: 'error' },
      ]);
    });
  });

  describe('login', () => {
    it('answers wrong passwords and unknown identifiers identically', async () => {
      const address = email();
      await register(address);
      const wrong = await loginError(address, 'wrong password 123');
      const unknown = await loginError(email(), 'wrong password 123');
      for (const err of [wrong, unknown]) {
        expect(err.status).toBe(400);
        expect((err.body as any).ui.messages).toEqual([
          {
            id: 4000006,
            text: 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
            type: 'error',
          },
        ]);
      }
    });

    it("logs in with any letter case and returns Kratos's native login answer", async () => {
      const address = email();
      const { identity } = await register(address);
      const result = await login(`  ${address.toUpperCase()} `);
      expect(result.session_token).toMatch(/^ory_st_/);
      expect(result.session).toMatchObject({
        active: true,
        identity: { id: identity.id },
        authentication_methods: [{ method: 'password', aal: 'aal1' }],
        devices: [{ user_agent: expect.any(String) }],
      });
      expect((result.session.identity as any).metadata_admin).toBeUndefined();
      expect((result.session.identity as any).credentials).toBeUndefined();
    });

    it('accepts an imported hash and re-hashes it to the configured algorithm', async () => {
      const address = email();
      const { data } = await admin.createIdentity({
        createIdentityBody: { schema_id: 'default', traits: { email: address }, credentials: { password: { config: { hashed_password: MD5.hash } } } },
      });
      await login(address, MD5.password);
      const after = await admin.getIdentity({ id: data.id, includeCredential: ['password'] });
      expect((after.data.credentials!.password.config as { hashed_password: string }).hashed_password).toMatch(/^\$argon2id\$/);
      await expect(login(address, MD5.password)).resolves.toHaveProperty('session_token');
    });

    it('refuses an inactive identity', async () => {
      const address = email();
      const { identity } = await register(address);
      await admin.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
      const err = await loginError(address, PASSWORD);
      expect(err.status).toBe(400);
      expect((err.body as any).ui.messages).toEqual([
        { id: 4010011, text: 'This account has been disabled. Please contact support for assistance.', type: 'error' },
      ]);
    });

    it('answers missing fields, a wrong method, unknown, malformed and expired flows as Kratos', async () => {
      const flow = await frontend.createNativeLoginFlow();
      const res = await fetch(`${app.publicUrl}/self-service/login?flow=${flow.data.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'password' }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expect(body.ui.nodes.find((n: any) => n.attributes.name === 'identifier').messages[0]).toMatchObject({ id: 4000002 });
      const wrongMethod = await sdkError(frontend.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'totp', totp_code: '1' } as never }));
      expect((wrongMethod.body as any).ui.messages[0]).toMatchObject({ id: 4010002 });
      const unknown = await sdkError(
        frontend.updateLoginFlow({ flow: randomUUID(), updateLoginFlowBody: { method: 'password', identifier: 'x', password: 'y' } }),
      );
      expect(unknown.status).toBe(404);
      const malformed = await fetch(`${app.publicUrl}/self-service/login?flow=nope`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as any).error.reason).toBe('The flow query parameter is missing or malformed.');

      const stored = (await app.app.get(FlowRepository).findById(flow.data.id))!;
      await app.app.get(FlowRepository).update({ ...stored, expiresAt: new Date(Date.now() - 60_000) });
      const expired = await sdkError(
        frontend.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: 'x', password: 'y' } }),
      );
      expect(expired.status).toBe(410);
      expect(expired.body.error).toMatchObject({ id: 'self_service_flow_expired', code: 410, status: 'Gone' });
      const replacement = (expired.body as any).use_flow_id as string;
      const next = await frontend.getLoginFlow({ id: replacement });
      expect(next.data.ui.messages![0]).toMatchObject({ id: 4010001 });
    });

    it('issues one session per login under concurrent logins of one user', async () => {
      const address = email();
      await register(address);
      const results = await Promise.all(Array.from({ length: 20 }, () => login(address)));
      const tokens = new Set(results.map((r) => r.session_token));
      expect(tokens.size).toBe(20);
      const checks = await Promise.all(results.map((r) => frontend.toSession({ xSessionToken: r.session_token })));
      expect(checks.every((c) => c.status === 200)).toBe(true);
    });
  });

  describe('whoami and logout', () => {
    it('reads the token from X-Session-Token, Authorization: Bearer and the session cookie', async () => {
      const { session_token: token, identity } = await register();
      const variants: Array<Record<string, string>> = [
        { 'X-Session-Token': token },
        { Authorization: `Bearer ${token}` },
        { Cookie: `ory_kratos_session=${token}` },
        { Cookie: `other=1; ory_kratos_session="${token}"` },
      ];
      for (const headers of variants) {
        const res = await fetch(`${app.publicUrl}/sessions/whoami`, { headers });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-kratos-authenticated-identity-id')).toBe(identity.id);
      }
    });

    it('answers 401 without a session, for an expired one and for an unknown token', async () => {
      const expected = {
        error: {
          code: 401,
          status: 'Unauthorized',
          reason: 'No valid session credentials found in the request.',
          message: 'The request could not be authorized',
        },
      };
      expect(await sdkError(frontend.toSession())).toEqual({ status: 401, body: expected });
      expect(await sdkError(frontend.toSession({ xSessionToken: 'ory_st_unknown' }))).toEqual({ status: 401, body: expected });
      const { session_token: token, session } = await register();
      await app.app.get(SessionRepository).updateExpiry(session.id, new Date(Date.now() - 1000), new Date());
      expect((await sdkError(frontend.toSession({ xSessionToken: token }))).status).toBe(401);
      const got = await admin.getSession({ id: session.id });
      expect(got.data.active).toBe(false);
    });

    it('logs out (204) and the token stops working; unknown tokens are 403, an empty body 400', async () => {
      const { session_token: token } = await register();
      const out = await frontend.performNativeLogout({ performNativeLogoutBody: { session_token: token } });
      expect(out.status).toBe(204);
      expect((await sdkError(frontend.toSession({ xSessionToken: token }))).status).toBe(401);
      const unknown = await sdkError(frontend.performNativeLogout({ performNativeLogoutBody: { session_token: 'ory_st_nope' } }));
      expect(unknown.status).toBe(403);
      const empty = await fetch(`${app.publicUrl}/self-service/logout/api`, { method: 'DELETE' });
      expect(empty.status).toBe(400);
    });
  });

  describe('admin session operations', () => {
    it('lists sessions with keyset pages, the active filter and expand', async () => {
      const a = await register();
      await register();
      await frontend.performNativeLogout({ performNativeLogoutBody: { session_token: a.session_token } });
      const page = await admin.listSessions({ pageSize: 1 });
      expect(page.data).toHaveLength(1);
      expect(page.data[0].identity).toBeNull();
      expect(page.data[0].devices).toBeNull();
      expect(page.headers.link).toMatch(
        /^<\/admin\/sessions\?page_size=1&page_token=00000000-0000-0000-0000-000000000000>; rel="first",<\/admin\/sessions\?page_size=1&page_token=[0-9a-f-]{36}>; rel="next"$/,
      );
      const inactive = await admin.listSessions({ active: false, expand: ['identity', 'devices'] });
      const revoked = inactive.data.find((s) => s.id === a.session.id)!;
      expect(revoked).toMatchObject({
        active: false,
        identity: { id: a.identity.id, metadata_admin: null },
        devices: [expect.objectContaining({ id: expect.any(String) })],
      });
      const active = await admin.listSessions({ active: true });
      expect(active.data.some((s) => s.id === a.session.id)).toBe(false);
      expect((await sdkError(admin.listSessions({ expand: ['everything' as never] }))).body.error.reason).toBe('Could not parse expand option: everything');
    });

    it('gets, extends and disables a session; malformed ids are 400, missing ones 404', async () => {
      const { session, session_token: token } = await register();
      const got = await admin.getSession({ id: session.id, expand: ['identity'] });
      expect(got.data).toMatchObject({ id: session.id, active: true, identity: { id: session.identity!.id } });
      const before = Date.now();
      const extended = await admin.extendSession({ id: session.id });
      expect(extended.status).toBe(200);
      const expiresAt = new Date((extended.data as { expires_at: string }).expires_at).getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + app.config.session.lifespanMs - 1000);
      expect((await admin.disableSession({ id: session.id })).status).toBe(204);
      expect((await admin.getSession({ id: session.id })).data.active).toBe(false);
      expect((await sdkError(frontend.toSession({ xSessionToken: token }))).status).toBe(401);
      const malformed = await sdkError(admin.getSession({ id: 'BADUUID' }));
      expect(malformed).toEqual({
        status: 400,
        body: { error: { code: 400, status: 'Bad Request', message: 'uuid: incorrect UUID length 7 in string "BADUUID"' } },
      });
      // One call at a time: a rejection created before it is awaited would surface as an unhandled rejection.
      for (const call of [
        () => admin.getSession({ id: randomUUID() }),
        () => admin.extendSession({ id: randomUUID() }),
        () => admin.disableSession({ id: randomUUID() }),
      ]) {
        expect((await sdkError(call())).status).toBe(404);
      }
    });

    it("lists an identity's sessions in 0-based pages without the off-by-one, and deletes them", async () => {
      const address = email();
      const { identity } = await register(address);
      await login(address);
      await login(address);
      const first = await admin.listIdentitySessions({ id: identity.id, perPage: 2, page: 0 });
      const second = await admin.listIdentitySessions({ id: identity.id, perPage: 2, page: 1 });
      expect(first.data).toHaveLength(2);
      expect(second.data).toHaveLength(1);
      expect(new Set([...first.data, ...second.data].map((s) => s.id)).size).toBe(3);
      expect(first.headers['x-total-count']).toBe('3');
      expect(first.headers.link).toContain(`</admin/identities/${identity.id}/sessions?page=1&per_page=2>; rel="next"`);
      expect(first.data[0].identity!.id).toBe(identity.id);
      expect((await admin.listIdentitySessions({ id: identity.id, active: false })).data).toEqual([]);
      expect((await admin.listIdentitySessions({ id: randomUUID() })).data).toEqual([]);
      expect((await admin.deleteIdentitySessions({ id: identity.id })).status).toBe(204);
      expect((await admin.listIdentitySessions({ id: identity.id })).data).toEqual([]);
      expect((await sdkError(admin.deleteIdentitySessions({ id: identity.id }))).status).toBe(404);
      expect((await sdkError(admin.listIdentitySessions({ id: 'nope' }))).status).toBe(400);
    });
  });

  describe('consistency with identities', () => {
    it('revokes sessions when the identity is deactivated (PUT or PATCH) and deletes them with the identity', async () => {
      const viaPut = await register();
      await admin.updateIdentity({
        id: viaPut.identity.id,
        updateIdentityBody: { schema_id: 'default', traits: viaPut.identity.traits as object, state: 'inactive' },
      });
      expect((await admin.getSession({ id: viaPut.session.id })).data.active).toBe(false);
      expect((await sdkError(frontend.toSession({ xSessionToken: viaPut.session_token }))).status).toBe(401);
      const raw = await app.app.get(SessionRepository).findById(viaPut.session.id);
      expect(raw!.active).toBe(false);

      const viaPatch = await register();
      await admin.patchIdentity({ id: viaPatch.identity.id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
      expect((await app.app.get(SessionRepository).findById(viaPatch.session.id))!.active).toBe(false);

      const deleted = await register();
      await admin.deleteIdentity({ id: deleted.identity.id });
      expect((await sdkError(admin.getSession({ id: deleted.session.id }))).status).toBe(404);
      expect(await app.app.get(IdentityRepository).findById(deleted.identity.id, { credentials: false })).toBeNull();
    });
  });

  describe('events', () => {
    it('records session.created, session.extended and session.revoked once each, with the identity id and no token', async () => {
      const reader = new QueueReader(app.config.events.queue);
      try {
        const { session, session_token: token, identity } = await register();
        const sessionId = session.id;
        await admin.extendSession({ id: sessionId });
        await frontend.performNativeLogout({ performNativeLogoutBody: { session_token: token } });
        await admin.disableSession({ id: sessionId }); // already revoked: no second event
        const events = await reader.waitFor((es) => es.filter((e) => e.subject === sessionId).length >= 3);
        const mine = events.filter((e) => e.subject === sessionId);
        expect(mine.map((e) => e.type)).toEqual(['session.created', 'session.extended', 'session.revoked']);
        for (const e of mine) {
          expect((e.data as { identity_id: string }).identity_id).toBe(identity.id);
          expect(JSON.stringify(e)).not.toContain(token);
        }
        expect((mine[2].data as { reason: string }).reason).toBe('logout');
        expect(events.some((e) => e.type === 'identity.created' && e.subject === identity.id)).toBe(true);
      } finally {
        await reader.close();
      }
    });
  });
});
