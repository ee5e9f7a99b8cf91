import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent } from '../src/events/cloud-event';
import { DisposableRedis } from './support/redis-server';
import { runService, serviceSettings, ServiceProcess } from './support/service-process';
import { QueueReader, TEST_REDIS_URL } from './support/test-app';
import { createTestDatabase, queryDatabase, TestDatabase } from './support/test-database';

/**
 * Fault tests on real service processes (spawned `src/main.ts`), real MariaDB and real redis-server processes:
 * whatever dies when, every committed event reaches the queue, and none twice.
 */
describe('event delivery under faults (separate service processes)', () => {
  let cwd: string;
  let database: TestDatabase;
  let queue: string;
  const services: ServiceProcess[] = [];
  const redises: DisposableRedis[] = [];

  beforeEach(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-faults-'));
    database = await createTestDatabase('mysql');
    queue = `faults-${randomUUID().slice(0, 8)}`;
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.kill('SIGKILL');
    for (const r of redises.splice(0)) await r.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<{ service: ServiceProcess; adminUrl: string }> {
    const settings = await serviceSettings(database.url, { EVENTS_QUEUE: queue, EVENTS_RELAY_INTERVAL_MS: '50', EVENTS_RELAY_MAX_BACKOFF_MS: '300', ...env });
    const service = runService(cwd, settings.env);
    services.push(service);
    await service.waitForOutput(/public API on/);
    return { service, adminUrl: settings.adminUrl };
  }

  async function createIdentity(adminUrl: string): Promise<string> {
    const res = await fetch(`${adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email: `f-${randomUUID()}@example.com` } }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** Waits until every subject has its identity.created event, then checks that none came twice. */
  async function expectDeliveredOnce(redisUrl: string, subjects: string[]): Promise<void> {
    const reader = new QueueReader(queue, redisUrl);
    try {
      const events = await reader.waitFor((es) => subjects.every((s) => es.some((e) => e.subject === s)), 30_000);
      const created = events.filter((e: CloudEvent) => e.type === 'identity.created');
      expect(new Set(created.map((e) => e.subject))).toEqual(new Set(subjects));
      expect(created).toHaveLength(subjects.length);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    } finally {
      await reader.close();
    }
  }

  async function pendingInOutbox(): Promise<number> {
    const [row] = await queryDatabase<{ n: string | number }>(database.url, 'SELECT COUNT(*) AS n FROM event_outbox WHERE published_at IS NULL');
    return Number(row.n);
  }

  it('Redis killed during a stream of writes and restarted: every event delivered, none twice', async () => {
    const redis = await DisposableRedis.start({ persistent: true });
    redises.push(redis);
    const { adminUrl } = await start({ REDIS_URL: redis.url });
    const subjects: string[] = [];
    for (let i = 0; i < 15; i++) subjects.push(await createIdentity(adminUrl));
    await redis.stop();
    for (let i = 0; i < 15; i++) subjects.push(await createIdentity(adminUrl)); // writes go on without Redis
    await redis.start();
    for (let i = 0; i < 15; i++) subjects.push(await createIdentity(adminUrl));
    await expectDeliveredOnce(redis.url, subjects);
  }, 90_000);

  it('service SIGKILLed after commit and before publishing: the events are delivered after restart', async () => {
    const first = await start({ EVENTS_RELAY_ENABLED: 'false' });
    const subjects: string[] = [];
    for (let i = 0; i < 10; i++) subjects.push(await createIdentity(first.adminUrl));
    expect(await first.service.kill('SIGKILL')).toBeNull();
    expect(await pendingInOutbox()).toBe(10);
    await start({});
    await expectDeliveredOnce(TEST_REDIS_URL, subjects);
  }, 90_000);

  it('two service processes relaying from one database at once: none twice, none lost', async () => {
    const a = await start({ EVENTS_RELAY_BATCH_SIZE: '5' });
    const b = await start({ EVENTS_RELAY_BATCH_SIZE: '5' });
    const subjects = await Promise.all(Array.from({ length: 60 }, (_, i) => createIdentity(i % 2 ? a.adminUrl : b.adminUrl)));
    await expectDeliveredOnce(TEST_REDIS_URL, subjects);
    const deadline = Date.now() + 10_000;
    while ((await pendingInOutbox()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await pendingInOutbox()).toBe(0);
  }, 90_000);

  it('a rolled-back write publishes nothing', async () => {
    const { adminUrl } = await start({});
    const email = `rb-${randomUUID()}@example.com`;
    const create = (body: object) =>
      fetch(`${adminUrl}/admin/identities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const first = await create({ schema_id: 'default', traits: { email } });
    const id = ((await first.json()) as { id: string }).id;
    expect((await create({ schema_id: 'default', traits: { email } })).status).toBe(409); // rolled back at the unique index
    const patch = await fetch(`${adminUrl}/admin/identities/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { op: 'add', path: '/metadata_public', value: { a: 1 } },
        { op: 'remove', path: '/traits/email' },
      ]),
    });
    expect(patch.status).toBe(400); // rolled back after validation
    await expectDeliveredOnce(TEST_REDIS_URL, [id]);
    const reader = new QueueReader(queue);
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect((await reader.events()).map((e) => e.type)).toEqual(['identity.created']);
    } finally {
      await reader.close();
    }
    expect(await pendingInOutbox()).toBe(0);
  }, 90_000);

  it('SIGTERM drains the relay before the process exits', async () => {
    const redis = await DisposableRedis.start({ persistent: true });
    redises.push(redis);
    await redis.stop();
    // The relay would not retry for a minute: only the shutdown drain can publish these events.
    const { service, adminUrl } = await start({
      REDIS_URL: redis.url,
      EVENTS_RELAY_INTERVAL_MS: '60000',
      EVENTS_RELAY_MAX_BACKOFF_MS: '60000',
      LOG_LEVEL: 'info',
    });
    const subjects: string[] = [];
    for (let i = 0; i < 8; i++) subjects.push(await createIdentity(adminUrl));
    await redis.start();
    await new Promise((r) => setTimeout(r, 1_500)); // the service's Redis connection comes back
    expect(await service.kill('SIGTERM')).toBe(0);
    expect(service.output()).toMatch(/published 8 pending events before shutdown/);
    await expectDeliveredOnce(redis.url, subjects);
  }, 90_000);
});
