import { randomBytes } from 'node:crypto';
import { answerProblem, postJson as json, send, sendPasswordLogin } from './support/hostile';
import { freePort } from './support/free-port';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

/*
 * Guessing is slowed beyond Kratos: failed sign-ins per identifier and per client address, and failed recovery
 * codes per identity, are limited over a sliding window that all replicas share through Redis.
 */
const WINDOW_MS = 2_000;
const LIMITS = {
  LOGIN_THROTTLE_PER_IDENTIFIER: '3',
  LOGIN_THROTTLE_PER_ADDRESS: '6',
  LOGIN_THROTTLE_WINDOW: `${WINDOW_MS}ms`,
  RECOVERY_CODE_THROTTLE_PER_IDENTITY: '3',
  RECOVERY_CODE_THROTTLE_WINDOW: `${WINDOW_MS}ms`,
};

async function createUser(app: TestApp, email: string, password: string): Promise<string> {
  const res = await send(
    `${app.adminUrl}/admin/identities`,
    json({ schema_id: 'default', traits: { email }, credentials: { password: { config: { password } } } }),
  );
  expect(res.status).toBe(201);
  return (JSON.parse(res.text) as { id: string }).id;
}

const login = (app: TestApp, identifier: string, password: string) => sendPasswordLogin(app.publicUrl, identifier, password);

function expectThrottled(answer: { status: number; headers: Headers; text: string }): number {
  expect(answer.status).toBe(429);
  expect(answerProblem(answer)).toBeUndefined();
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
  expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 429, status: 'Too Many Requests', details: { retry_after_seconds: retryAfter } } });
  return retryAfter;
}

/** A browser flow (what admin-created codes make by default) shows the limit as a message on its form. */
function expectThrottledForm(answer: { status: number; headers: Headers; text: string }): number {
  expect(answer.status).toBe(429);
  expect(answerProblem(answer)).toBeUndefined();
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(answer.text)).toMatchObject({
    type: 'browser',
    ui: { messages: [{ id: 4000001, type: 'error', context: { retry_after_seconds: retryAfter } }] },
  });
  return retryAfter;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('attempt limits (MariaDB, Redis)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql', env: LIMITS });
  });
  afterAll(async () => app?.destroy());

  it('stops a guessing loop on one account, and lets the real user in after the window', async () => {
    await createUser(app, 'victim@example.com', 'the-right-password-1');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(app, 'victim@example.com', `guess-${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 429, 429, 429, 429, 429, 429, 429]);
    // While the account is throttled, even the right password waits: it tells the guesser nothing.
    const retryAfter = expectThrottled(await login(app, 'VICTIM@example.com ', 'the-right-password-1'));
    await pause(retryAfter * 1000 + 100);
    expect((await login(app, 'victim@example.com', 'the-right-password-1')).status).toBe(200);
  });

  it('counts only failures: a user who signs in often is never throttled', async () => {
    await createUser(app, 'frequent@example.com', 'frequent-password-1');
    for (let i = 0; i < 8; i++) expect((await login(app, 'frequent@example.com', 'frequent-password-1')).status).toBe(200);
    // A mistyped password now and then is fine too.
    expect((await login(app, 'frequent@example.com', 'typo')).status).toBe(400);
    expect((await login(app, 'frequent@example.com', 'frequent-password-1')).status).toBe(200);
  });

  it('takes concurrent guesses one attempt each: no burst gets past the limit', async () => {
    await createUser(app, 'burst@example.com', 'burst-password-1');
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => login(app, 'burst@example.com', `burst-guess-${i}`)));
    const counts = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 400: 3, 429: 9 });
    await pause(WINDOW_MS + 100);
  });

  it('lets concurrent sign-ins with the right password through, more of them than the limit', async () => {
    await createUser(app, 'devices@example.com', 'devices-password-1');
    // Pending attempts fill the window (3 per identifier, 6 per address): the others wait for them, then pass.
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(app, 'devices@example.com', 'devices-password-1')));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
  });

  it('limits failures per client address across identifiers (credential stuffing)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(app, `stuffed-${i}@example.com`, 'password-from-a-leak')).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429, 429]);
    await pause(WINDOW_MS + 100);
  });

  it('limits guesses of admin-created recovery codes per identity, across flows', async () => {
    const id = await createUser(app, 'recover-me@example.com', 'recover-password-1');
    const flows: Array<{ id: string; code: string }> = [];
    for (const flowType of ['browser', 'browser', 'api']) {
      const code = JSON.parse((await send(`${app.adminUrl}/admin/recovery/code`, json({ identity_id: id, flow_type: flowType }))).text) as {
        recovery_link: string;
        recovery_code: string;
      };
      flows.push({ id: new URL(code.recovery_link).searchParams.get('flow')!, code: code.recovery_code });
    }
    const redeem = (flow: string, code: string) => send(`${app.publicUrl}/self-service/recovery?flow=${flow}`, json({ method: 'code', code }));
    const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
    // Each flow allows five submissions; across them, three failures for this identity are the limit.
    expect((await redeem(flows[0].id, wrong(flows[0].code))).status).toBe(400);
    expect((await redeem(flows[1].id, wrong(flows[1].code))).status).toBe(400);
    expect((await redeem(flows[2].id, wrong(flows[2].code))).status).toBe(400);
    expectThrottledForm(await redeem(flows[0].id, wrong(flows[0].code)));
    expectThrottledForm(await redeem(flows[1].id, flows[1].code));
    const retryAfter = expectThrottled(await redeem(flows[2].id, flows[2].code)); // an API flow: the envelope
    await pause(retryAfter * 1000 + 100);
    expect((await redeem(flows[2].id, flows[2].code)).status).toBe(200);
  });
});

describe('attempt limits across replicas and without Redis', () => {
  it('are shared by replicas on the same Redis', async () => {
    const database = await createTestDatabase('mysql');
    const shared = { ...LIMITS, REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    const a = await startTestApp({ database, env: shared });
    const b = await startTestApp({ database, env: { ...shared, EVENTS_QUEUE: a.config.events.queue } });
    try {
      await createUser(a, 'replicated@example.com', 'replicated-password-1');
      expect((await login(a, 'replicated@example.com', 'guess-1')).status).toBe(400);
      expect((await login(b, 'replicated@example.com', 'guess-2')).status).toBe(400);
      expect((await login(a, 'replicated@example.com', 'guess-3')).status).toBe(400);
      expectThrottled(await login(b, 'replicated@example.com', 'guess-4'));
      expectThrottled(await login(a, 'replicated@example.com', 'guess-5'));
    } finally {
      await b.stop();
      await a.destroy();
    }
  });

  it('still hold, per replica, while Redis is unreachable', async () => {
    const app = await startTestApp({ dialect: 'sqlite', env: { ...LIMITS, REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    try {
      await createUser(app, 'no-redis@example.com', 'no-redis-password-1');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await login(app, 'no-redis@example.com', `guess-${i}`)).status);
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
      await pause(WINDOW_MS + 100);
      expect((await login(app, 'no-redis@example.com', 'no-redis-password-1')).status).toBe(200);
    } finally {
      await app.destroy();
    }
  });
});
