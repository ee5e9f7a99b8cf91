import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { OutboxRelayService } from '../src/events/outbox-relay.service';
import { identityApi } from './support/kratos-sdk';
import { startTestApp, TEST_REDIS_URL, TestApp } from './support/test-app';

describe('operability: metrics, readiness, queue dashboard', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql', env: { ADMIN_API_KEYS: 'ops-key', METRICS_API_KEYS: 'scrape-token' } });
  });
  afterAll(async () => app?.destroy());

  it('exposes Prometheus metrics on the admin port only', async () => {
    const sdk = identityApi(app.adminUrl, 'Bearer ops-key');
    await sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: `m-${randomUUID().slice(0, 8)}@example.com` } } });
    await app.app.get(OutboxRelayService).flush();
    // Behind the admin keys, or a scrape token that opens /metrics and nothing else.
    expect((await fetch(`${app.adminUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.adminUrl}/metrics`, { headers: { authorization: 'Bearer ops-key' } })).status).toBe(200);
    expect((await fetch(`${app.adminUrl}/admin/identities`, { headers: { authorization: 'Bearer scrape-token' } })).status).toBe(401);
    expect((await fetch(`${app.adminUrl}/openapi.json`, { headers: { authorization: 'Bearer scrape-token' } })).status).toBe(401);
    const res = await fetch(`${app.adminUrl}/metrics`, { headers: { authorization: 'Bearer scrape-token' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^event_outbox_backlog \d+$/m);
    expect(text).toMatch(/^event_outbox_oldest_pending_age_seconds [\d.]+$/m);
    expect(text).toMatch(/^events_published_total\{type="identity.created"\} [1-9]\d*$/m);
    expect(text).toMatch(/^event_relay_errors_total \d+$/m);
    expect(text).toMatch(new RegExp(`^event_queue_jobs\\{queue="${app.config.events.queue}",state="waiting"\\} \\d+$`, 'm'));
    // BullMQ 6 counts the jobs of a paused queue as waiting; there is no "paused" state any more.
    expect(text).not.toMatch(/^event_queue_jobs\{[^}]*state="paused"/m);
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/admin\/identities",status_code="201"\} [1-9]/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect((await fetch(`${app.publicUrl}/metrics`)).status).toBe(404);
  });

  it('reports the relay and the outbox backlog in readiness', async () => {
    const res = await fetch(`${app.adminUrl}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok', redis: 'up', relay: { enabled: true, redis: 'up', failing: false, backlog: 0 } });
  });

  it('serves the queue dashboard on the admin port behind the admin key', async () => {
    expect((await fetch(`${app.adminUrl}/queues`)).status).toBe(401);
    const page = await fetch(`${app.adminUrl}/queues`, { headers: { authorization: 'Bearer ops-key' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/bull/i);
    const api = await fetch(`${app.adminUrl}/queues/api/queues`, { headers: { authorization: 'Bearer ops-key' } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name)).toContain(app.config.events.queue);
    // Read-only: nothing in the dashboard can pause, clean, retry or remove jobs.
    const auth = { authorization: 'Bearer ops-key' };
    const queue = encodeURIComponent(app.config.events.queue);
    expect((await fetch(`${app.adminUrl}/queues/api/queues/${queue}/pause`, { method: 'PUT', headers: auth })).status).toBe(405);
    expect((await fetch(`${app.adminUrl}/queues/api/queues/${queue}/clean/completed`, { method: 'PUT', headers: auth })).status).toBe(405);
    expect((await fetch(`${app.adminUrl}/queues/api/queues/${queue}/obliterate`, { method: 'PUT', headers: auth })).status).toBe(405);
    await fetch(`${app.adminUrl}/queues/api/queues/pause`, { method: 'PUT', headers: auth }); // "pause all" skips read-only queues
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const bullQueue = new Queue(app.config.events.queue, { connection });
    try {
      expect(await bullQueue.isPaused()).toBe(false);
    } finally {
      await bullQueue.close();
      await connection.quit();
    }
    expect((await fetch(`${app.publicUrl}/queues`, { headers: { authorization: 'Bearer ops-key' } })).status).toBe(404);
  });
});
