import { randomUUID } from 'node:crypto';
import { Configuration, FrontendApi, IdentityApi } from '@ory/kratos-client';
import { OutboxRelayService } from '../src/events/outbox-relay.service';
import { EventValidator } from '../src/events/event-validator';
import type { CloudEvent } from '../src/events/cloud-event';
import type { EventType } from '../src/events/event-catalogue';
import { identityApi, registerWithPassword, submitPasswordLogin } from './support/kratos-sdk';
import { QueueReader, startTestApp, TestApp } from './support/test-app';
import { FAST_HASHING, uniqueEmail } from './support/fixtures';

const PASSWORD = 'completeness password 1';
const BCRYPT = '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const email = () => uniqueEmail('c');

/**
 * Table-driven proof that every mutation emits exactly the catalogue's events, once each, valid against their
 * schemas and free of secrets, and that reads emit none.
 */
describe('event completeness (MariaDB, real Redis)', () => {
  let app: TestApp;
  let admin: IdentityApi;
  let frontend: FrontendApi;
  let reader: QueueReader;
  let allReader: QueueReader;
  let sessionReader: QueueReader;
  const validator = new EventValidator();
  const seen = new Set<string>();
  const secrets: string[] = [];

  beforeAll(async () => {
    const suffix = randomUUID().slice(0, 8);
    app = await startTestApp({
      dialect: 'mysql',
      env: {
        ...FAST_HASHING,
        EVENTS_SUBSCRIBERS: JSON.stringify([{ queue: `all-${suffix}` }, { queue: `sessions-${suffix}`, types: ['session.created', 'session.revoked'] }]),
      },
    });
    admin = identityApi(app.adminUrl);
    frontend = new FrontendApi(new Configuration({ basePath: app.publicUrl }));
    reader = new QueueReader(app.config.events.queue);
    allReader = new QueueReader(app.config.events.subscribers[0].queue);
    sessionReader = new QueueReader(app.config.events.subscribers[1].queue);
  });
  afterAll(async () => {
    await Promise.all([reader?.close(), allReader?.close(), sessionReader?.close()]);
    await app?.destroy();
  });

  /** Runs `action` and returns the events it caused (those not seen before), once the relay has published them. */
  async function eventsOf(action: () => Promise<unknown>): Promise<CloudEvent[]> {
    await action();
    await app.app.get(OutboxRelayService).flush();
    const fresh = (await reader.events()).filter((e) => !seen.has(e.id));
    for (const e of fresh) seen.add(e.id);
    return fresh;
  }

  /** Marks everything published so far as seen: what a step's setup caused is not counted for the step. */
  async function settle(): Promise<void> {
    await app.app.get(OutboxRelayService).flush();
    for (const e of await reader.events()) seen.add(e.id);
  }

  function check(events: CloudEvent[], expected: EventType[]): void {
    expect(events.map((e) => e.type).sort()).toEqual([...expected].sort());
    for (const event of events) {
      expect(validator.problems(event)).toEqual([]);
      const text = JSON.stringify(event);
      expect(text).not.toMatch(/hashed_password|\$2a\$|\$argon2|ory_st_/);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  }

  async function newIdentity(address = email()) {
    return (
      await admin.createIdentity({
        createIdentityBody: { schema_id: 'default', traits: { email: address }, credentials: { password: { config: { hashed_password: BCRYPT } } } },
      })
    ).data;
  }

  async function register(address = email()) {
    const registered = await registerWithPassword(frontend, address, PASSWORD);
    secrets.push(registered.session_token);
    return registered;
  }

  async function login(identifier: string) {
    const { data } = await submitPasswordLogin(frontend, identifier, PASSWORD);
    secrets.push(data.session_token!);
    return data;
  }

  async function redeemCode(link: string, code: string) {
    const flow = new URL(link).searchParams.get('flow')!;
    const res = await fetch(`${app.publicUrl}/self-service/recovery?flow=${flow}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'code', code }),
    });
    const body = (await res.json()) as { continue_with: Array<{ ory_session_token?: string }> };
    secrets.push(body.continue_with[0].ory_session_token!);
    return body;
  }

  // Anything a previous step left behind must not be counted for the next one.
  beforeEach(() => settle());

  const mutations: Array<[string, () => Promise<EventType[]>]> = [
    [
      'createIdentity',
      async () => {
        check(await eventsOf(() => newIdentity()), ['identity.created']);
        return [];
      },
    ],
    [
      'batchPatchIdentities: one event per created identity, none for failed items',
      async () => {
        const taken = email();
        await newIdentity(taken);
        await settle();
        const events = await eventsOf(() =>
          admin.batchPatchIdentities({
            patchIdentitiesBody: {
              identities: [
                { create: { schema_id: 'default', traits: { email: email() } } },
                { create: { schema_id: 'default', traits: { email: email() } } },
                { create: { schema_id: 'default', traits: { email: taken } } },
                { create: { schema_id: 'default', traits: { email: 'invalid' } } },
              ],
            },
          }),
        );
        check(events, ['identity.created', 'identity.created']);
        return [];
      },
    ],
    [
      'updateIdentity (PUT)',
      async () => {
        const identity = await newIdentity();
        await settle();
        check(
          await eventsOf(() =>
            admin.updateIdentity({
              id: identity.id,
              updateIdentityBody: { schema_id: 'default', traits: identity.traits as object, state: 'active', metadata_public: { a: 1 } },
            }),
          ),
          ['identity.updated'],
        );
        return [];
      },
    ],
    [
      'updateIdentity to inactive revokes the live session',
      async () => {
        const { identity } = await register();
        await settle();
        check(
          await eventsOf(() =>
            admin.updateIdentity({ id: identity.id, updateIdentityBody: { schema_id: 'default', traits: identity.traits as object, state: 'inactive' } }),
          ),
          ['identity.updated', 'session.revoked'],
        );
        return [];
      },
    ],
    [
      'patchIdentity',
      async () => {
        const identity = await newIdentity();
        await settle();
        check(await eventsOf(() => admin.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'add', path: '/metadata_admin', value: { b: 2 } }] })), [
          'identity.updated',
        ]);
        return [];
      },
    ],
    [
      'deleteIdentityCredentials',
      async () => {
        const { data } = await admin.createIdentity({
          createIdentityBody: {
            schema_id: 'default',
            traits: { email: email() },
            credentials: { password: { config: { hashed_password: BCRYPT } }, oidc: { config: { providers: [{ provider: 'gh', subject: randomUUID() }] } } },
          },
        });
        await settle();
        check(await eventsOf(() => admin.deleteIdentityCredentials({ id: data.id, type: 'password' })), ['identity.credential.deleted']);
        return [];
      },
    ],
    [
      'deleteIdentity with a live session',
      async () => {
        const { identity } = await register();
        await settle();
        check(await eventsOf(() => admin.deleteIdentity({ id: identity.id })), ['identity.deleted', 'session.revoked']);
        return [];
      },
    ],
    [
      'self-service registration',
      async () => {
        check(await eventsOf(() => register()), ['identity.created', 'session.created']);
        return [];
      },
    ],
    [
      'self-service login',
      async () => {
        const address = email();
        await register(address);
        await settle();
        check(await eventsOf(() => login(address)), ['session.created']);
        return [];
      },
    ],
    [
      'logout, extend, disable, delete identity sessions',
      async () => {
        const address = email();
        const first = await register(address);
        const second = await login(address);
        const third = await login(address);
        await settle();
        check(await eventsOf(() => frontend.performNativeLogout({ performNativeLogoutBody: { session_token: first.session_token } })), ['session.revoked']);
        check(await eventsOf(() => admin.extendSession({ id: second.session.id })), ['session.extended']);
        check(await eventsOf(() => admin.disableSession({ id: second.session.id })), ['session.revoked']);
        check(await eventsOf(() => admin.disableSession({ id: second.session.id })), []);
        check(await eventsOf(() => admin.deleteIdentitySessions({ id: first.identity.id })), ['session.revoked']);
        void third;
        return [];
      },
    ],
    [
      'recovery: link and code created, both redeemed, new password set',
      async () => {
        const identity = await newIdentity();
        await settle();
        let code = { recovery_link: '', recovery_code: '' };
        check(
          await eventsOf(async () => {
            code = (await admin.createRecoveryCodeForIdentity({ createRecoveryCodeForIdentityBody: { identity_id: identity.id } })).data;
          }),
          ['recovery.code.created'],
        );
        secrets.push(code.recovery_code);
        let link = '';
        check(
          await eventsOf(async () => {
            link = (await admin.createRecoveryLinkForIdentity({ createRecoveryLinkForIdentityBody: { identity_id: identity.id } })).data.recovery_link;
          }),
          ['recovery.link.created'],
        );
        secrets.push(new URL(link).searchParams.get('token')!);
        let settingsFlow = '';
        let token = '';
        check(
          await eventsOf(async () => {
            const flow = await redeemCode(code.recovery_link, code.recovery_code);
            token = flow.continue_with[0].ory_session_token!;
            settingsFlow = (flow.continue_with[1] as { flow: { id: string } }).flow.id;
          }),
          ['recovery.completed', 'session.created'],
        );
        check(await eventsOf(() => fetch(link, { redirect: 'manual' })), ['recovery.completed', 'session.created']);
        check(
          await eventsOf(() =>
            frontend.updateSettingsFlow({
              flow: settingsFlow,
              xSessionToken: token,
              updateSettingsFlowBody: { method: 'password', password: 'a new password 789' },
            }),
          ),
          ['identity.updated'],
        );
        return [];
      },
    ],
    [
      'failed writes: conflict, invalid patch, wrong login, wrong code',
      async () => {
        const address = email();
        const identity = await newIdentity(address);
        await settle();
        const failures = await eventsOf(async () => {
          await admin.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: address } } }).catch(() => undefined);
          await admin.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'remove', path: '/traits/email' }] }).catch(() => undefined);
          const flow = await frontend.createNativeLoginFlow();
          await frontend
            .updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: address, password: 'wrong!' } })
            .catch(() => undefined);
        });
        check(failures, []);
        return [];
      },
    ],
  ];

  it.each(mutations)('%s emits exactly its events', async (_name, run) => {
    await run();
  });

  it('reads emit no events', async () => {
    const { identity, session, session_token: token } = await register();
    await settle();
    const events = await eventsOf(async () => {
      await admin.getIdentity({ id: identity.id });
      await admin.listIdentities({ pageSize: 5 });
      await admin.listIdentities({ page: 0, perPage: 5 });
      await admin.getSession({ id: session.id });
      await admin.listSessions({ pageSize: 5 });
      await admin.listIdentitySessions({ id: identity.id });
      await admin.listIdentitySchemas();
      await admin.getIdentitySchema({ id: 'default' });
      await frontend.toSession({ xSessionToken: token });
      await frontend.createNativeLoginFlow();
      await frontend.createNativeRegistrationFlow();
    });
    check(events, []);
  });

  it("carries the request's traceparent", async () => {
    const events = await eventsOf(() =>
      fetch(`${app.adminUrl}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: TRACEPARENT },
        body: JSON.stringify({ schema_id: 'default', traits: { email: email() } }),
      }),
    );
    check(events, ['identity.created']);
    expect(events[0].traceparent).toBe(TRACEPARENT);
  });

  it('fills subscriber queues: one with every event, one with only the session types it asked for', async () => {
    const all = await reader.events();
    const everything = await allReader.waitFor((es) => es.length >= all.length);
    expect(new Set(everything.map((e) => e.id))).toEqual(new Set(all.map((e) => e.id)));
    const sessions = await sessionReader.events();
    const expected = all.filter((e) => e.type === 'session.created' || e.type === 'session.revoked');
    expect(new Set(sessions.map((e) => e.id))).toEqual(new Set(expected.map((e) => e.id)));
    expect(expected.length).toBeGreaterThan(0);
  });
});
