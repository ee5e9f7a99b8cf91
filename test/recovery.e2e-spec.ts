import { randomUUID } from 'node:crypto';
import { Configuration, FrontendApi, IdentityApi } from '@ory/kratos-client';
import { identityApi, sdkError, submitPasswordLogin } from './support/kratos-sdk';
import { QueueReader, startTestApp, TestApp } from './support/test-app';
import { FAST_HASHING, uniqueEmail } from './support/fixtures';

const PASSWORD = 'original password 123';
const email = () => uniqueEmail('r');

describe('account recovery: admin links and codes, redemption, new password (MariaDB)', () => {
  let app: TestApp;
  let admin: IdentityApi;
  let frontend: FrontendApi;

  beforeAll(async () => {
    app = await startTestApp({
      dialect: 'mysql',
      env: { ...FAST_HASHING, RECOVERY_SECRET: 'x'.repeat(40), ALLOWED_RETURN_URLS: 'https://app.example.com/' },
    });
    admin = identityApi(app.adminUrl);
    frontend = new FrontendApi(new Configuration({ basePath: app.publicUrl }));
  });
  afterAll(async () => app?.destroy());

  async function createIdentity(address = email()) {
    return (
      await admin.createIdentity({
        createIdentityBody: { schema_id: 'default', traits: { email: address }, credentials: { password: { config: { password: PASSWORD } } } },
      })
    ).data;
  }

  const login = (identifier: string, password: string) => submitPasswordLogin(frontend, identifier, password);

  const flowIdOf = (link: string) => new URL(link).searchParams.get('flow')!;

  async function redeemCode(flow: string, code: string) {
    return fetch(`${app.publicUrl}/self-service/recovery?flow=${flow}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'code', code }),
    });
  }

  describe('admin endpoints', () => {
    it('creates a code (201) and a link (200) as Kratos answers them', async () => {
      const identity = await createIdentity();
      const code = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id, expires_in: '15m' } });
      expect(code.status).toBe(201);
      expect(code.data.recovery_code).toMatch(/^\d{6}$/);
      expect(code.data.recovery_link).toMatch(new RegExp(`^${app.config.http.publicBaseUrl}/self-service/recovery\\?flow=[0-9a-f-]{36}$`));
      const expires = new Date(code.data.expires_at!).getTime();
      expect(Math.abs(expires - (Date.now() + 15 * 60_000))).toBeLessThan(10_000);

      const link = await admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id, expires_in: '1h30m' } });
      expect(link.status).toBe(200);
      expect(link.data.recovery_link).toMatch(
        new RegExp(`^${app.config.http.publicBaseUrl}/self-service/recovery\\?flow=[0-9a-f-]{36}&token=[A-Za-z0-9]{32}$`),
      );
    });

    it('answers an unknown identity with 400 (link) and 404 (code), and a bad expires_in with 400', async () => {
      const link = await sdkError(admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: randomUUID() } }));
      expect(link).toMatchObject({ status: 400, body: { error: { reason: 'The requested identity id does not exist.' } } });
      const code = await sdkError(admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: randomUUID() } }));
      expect(code).toMatchObject({ status: 404, body: { error: { reason: 'could not find identity', message: 'Unable to locate the resource' } } });
      const identity = await createIdentity();
      const bad = await sdkError(admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id, expires_in: 'soon' } }));
      expect(bad.status).toBe(400);
      expect(bad.body.error.reason).toBe('Unable to parse "expires_in" whose format should match "[0-9]+(ns|us|ms|s|m|h)" but did not: soon');
      const negative = await sdkError(
        admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id, expires_in: '-5m' } }),
      );
      expect(negative.body.error.reason).toBe('Value from "expires_in" must be result to a future time: -5m');
      for (const returnTo of [
        'https://evil.example.net/',
        'https://app.example.com.evil.net/',
        'https://app.example.com@evil.net/',
        `${app.config.http.publicBaseUrl}@evil.net/`,
      ]) {
        const badReturn = await sdkError(admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id }, returnTo }));
        expect(badReturn.status).toBe(400);
      }
    });

    it('can be switched off (404, as Kratos)', async () => {
      const off = await startTestApp({ dialect: 'sqlite', env: { RECOVERY_LINK_ENABLED: 'false', RECOVERY_CODE_ENABLED: 'false' } });
      try {
        const api = identityApi(off.adminUrl);
        // One call at a time: a rejection created before it is awaited would surface as an unhandled rejection.
        for (const call of [
          () => api.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: randomUUID() } }),
          () => api.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: randomUUID() } }),
        ]) {
          const err = await sdkError(call());
          expect(err.status).toBe(404);
          expect(err.body.error.reason).toMatch(/^This endpoint was disabled by system administrator/);
        }
      } finally {
        await off.destroy();
      }
    });
  });

  describe('code loop: admin code → redeem → settings → login', () => {
    it('recovers the account and replaces the password', async () => {
      const address = email();
      const identity = await createIdentity(address);
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } });
      const res = await redeemCode(flowIdOf(data.recovery_link), data.recovery_code);
      expect(res.status).toBe(200);
      const flow = (await res.json()) as any;
      expect(flow.state).toBe('passed_challenge');
      const [tokenItem, settingsItem] = flow.continue_with;
      expect(tokenItem).toEqual({ action: 'set_ory_session_token', ory_session_token: expect.stringMatching(/^ory_st_/) });
      expect(settingsItem).toMatchObject({ action: 'show_settings_ui', flow: { id: expect.any(String) } });
      const token = tokenItem.ory_session_token as string;

      const who = await frontend.toSession({ xSessionToken: token });
      expect(who.data.authentication_methods![0].method).toBe('code_recovery');

      const settings = await frontend.getSettingsFlow({ id: settingsItem.flow.id, xSessionToken: token });
      expect(settings.data.ui.messages![0]).toMatchObject({ id: 1060001 });
      const updated = await frontend.updateSettingsFlow({
        flow: settingsItem.flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: 'password', password: 'brand new password 456' },
      });
      expect(updated.data.state).toBe('success');
      expect(updated.data.ui.messages).toEqual([{ id: 1050001, text: 'Your changes have been saved!', type: 'success' }]);

      await expect(login(address, 'brand new password 456')).resolves.toMatchObject({ status: 200 });
      expect((await sdkError(login(address, PASSWORD))).status).toBe(400);
    });

    it('also works with a native settings flow created from the session', async () => {
      const address = email();
      const identity = await createIdentity(address);
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id, flow_type: 'api' } });
      const flow = (await (await redeemCode(flowIdOf(data.recovery_link), data.recovery_code)).json()) as any;
      const token = flow.continue_with[0].ory_session_token as string;
      const settings = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      const err = await sdkError(
        frontend.updateSettingsFlow({ flow: settings.data.id, xSessionToken: token, updateSettingsFlowBody: { method: 'password', password: 'short' } }),
      );
      expect(err.status).toBe(400);
      expect((err.body as any).ui.nodes.find((n: any) => n.attributes.name === 'password').messages[0]).toMatchObject({ id: 4000032 });
      await frontend.updateSettingsFlow({
        flow: settings.data.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: 'password', password: 'another good password' },
      });
      await expect(login(address, 'another good password')).resolves.toMatchObject({ status: 200 });
    });

    it('requires a session for settings (401)', async () => {
      const err = await sdkError(frontend.createNativeSettingsFlow());
      expect(err).toMatchObject({ status: 401, body: { error: { id: 'session_inactive', code: 401 } } });
    });
  });

  describe('codes are single-use, expire and allow five tries', () => {
    it('refuses a wrong code (400 with a message) and a reused one', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } });
      const flow = flowIdOf(data.recovery_link);
      const wrong = await redeemCode(flow, data.recovery_code === '000000' ? '111111' : '000000');
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as any).ui.messages).toEqual([
        { id: 4060006, text: 'The recovery code is invalid or has already been used. Please try again.', type: 'error' },
      ]);
      expect((await redeemCode(flow, data.recovery_code)).status).toBe(200);
      expect((await redeemCode(flow, data.recovery_code)).status).toBe(400);
    });

    it('spends the flow after five submissions, even for the right code', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } });
      const flow = flowIdOf(data.recovery_link);
      const wrongCode = data.recovery_code === '999999' ? '888888' : '999999';
      for (let i = 0; i < 5; i++) expect((await redeemCode(flow, wrongCode)).status).toBe(400);
      const sixth = await redeemCode(flow, data.recovery_code);
      expect(sixth.status).toBe(400);
      expect(((await sixth.json()) as any).ui.messages[0]).toMatchObject({
        id: 4000001,
        text: 'The request was submitted too often. Please request another code.',
      });
    });

    it('refuses an expired code', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id, expires_in: '1s' } });
      await new Promise((r) => setTimeout(r, 1200));
      expect((await redeemCode(flowIdOf(data.recovery_link), data.recovery_code)).status).toBe(410);
    });

    it('lets only one of several concurrent redemptions of a code win', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } });
      const flow = flowIdOf(data.recovery_link);
      const statuses = await Promise.all(Array.from({ length: 4 }, () => redeemCode(flow, data.recovery_code).then((r) => r.status)));
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    });

    it('grants nothing to an inactive identity', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } });
      await admin.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
      const res = await redeemCode(flowIdOf(data.recovery_link), data.recovery_code);
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).continue_with).toBeUndefined();
      const link = await admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id } });
      const opened = await fetch(link.data.recovery_link, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect(opened.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('link loop: admin link → open → cookie → whoami', () => {
    it('signs the browser in with a cookie and redirects to the settings UI', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id } });
      const opened = await fetch(data.recovery_link, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      const location = opened.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^${app.config.selfService.settingsUiUrl}\\?flow=[0-9a-f-]{36}$`));
      const cookie = opened.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^ory_kratos_session=ory_st_[A-Za-z0-9]+;.*HttpOnly/);
      const sessionCookie = cookie.split(';')[0];
      const who = await fetch(`${app.publicUrl}/sessions/whoami`, { headers: { cookie: sessionCookie } });
      expect(who.status).toBe(200);
      expect(((await who.json()) as any).identity.id).toBe(identity.id);
      const settings = await fetch(location, { headers: { cookie: sessionCookie } });
      expect(settings.status).toBe(200);
      expect(((await settings.json()) as any).identity.id).toBe(identity.id);

      // single use
      const again = await fetch(data.recovery_link, { redirect: 'manual' });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toMatch(new RegExp(`^${app.config.selfService.recoveryUiUrl}\\?flow=`));
      expect(again.headers.get('set-cookie')).toBeNull();
      const failure = await fetch(`${app.publicUrl}/self-service/recovery/flows?id=${new URL(again.headers.get('location')!).searchParams.get('flow')}`);
      expect(((await failure.json()) as any).ui.messages[0]).toMatchObject({ id: 4060004 });
    });

    it('redirects to return_to when given, and refuses a tampered token', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryLinkForIdentity({
        createRecoveryLinkForIdentityBody: { identity_id: identity.id },
        returnTo: 'https://app.example.com/welcome',
      });
      const tampered = data.recovery_link.replace(/token=.{4}/, 'token=AAAA');
      const bad = await fetch(tampered, { redirect: 'manual' });
      expect(bad.headers.get('set-cookie')).toBeNull();
      const opened = await fetch(data.recovery_link, { redirect: 'manual' });
      expect(opened.headers.get('location')).toBe('https://app.example.com/welcome');
    });

    it('refuses an expired link', async () => {
      const identity = await createIdentity();
      const { data } = await admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id, expires_in: '1s' } });
      await new Promise((r) => setTimeout(r, 1200));
      const opened = await fetch(data.recovery_link, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect(opened.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('events', () => {
    it('records recovery.code.created, recovery.completed and session.created, without codes or tokens', async () => {
      const reader = new QueueReader(app.config.events.queue);
      try {
        const identity = await createIdentity();
        const { data } = await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } });
        const link = await admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id } });
        const flow = (await (await redeemCode(flowIdOf(data.recovery_link), data.recovery_code)).json()) as any;
        const token = flow.continue_with[0].ory_session_token as string;
        const events = await reader.waitFor((es) => es.some((e) => e.type === 'recovery.completed' && e.subject === identity.id));
        const mine = events.filter((e) => e.subject === identity.id || (e.data as { identity_id?: string }).identity_id === identity.id);
        const types = mine.map((e) => e.type);
        expect(types).toEqual(expect.arrayContaining(['recovery.code.created', 'recovery.link.created', 'recovery.completed', 'session.created']));
        expect(types.filter((t) => t === 'recovery.completed')).toHaveLength(1);
        const text = JSON.stringify(mine);
        expect(text).not.toContain(data.recovery_code === '000000' ? '"000000"' : data.recovery_code);
        expect(text).not.toContain(new URL(link.data.recovery_link).searchParams.get('token')!);
        expect(text).not.toContain(token);
      } finally {
        await reader.close();
      }
    });
  });
});
