import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../src/database/unit-of-work';
import { EventPublisher } from '../src/events/event-publisher';
import { EventRecorder } from '../src/events/event-recorder.service';
import { OutboxRelay } from '../src/events/outbox-relay.service';
import { OutboxRepository } from '../src/events/outbox.repository';
import type { CloudEvent } from '../src/events/cloud-event';
import { DisposableRedis } from './support/redis-server';
import { QueueReader, startTestApp, TestApp } from './support/test-app';

/** Records `count` identity.created events in one transaction through the app's own services. */
async function recordInTransaction(app: TestApp, subjects: string[], fail = false): Promise<void> {
  const uow = app.app.get(UnitOfWork);
  const recorder = app.app.get(EventRecorder);
  await uow.run(async () => {
    await recorder.record(...subjects.map((subject) => ({ type: 'identity.created' as const, subject, data: { id: subject } })));
    if (fail) throw new Error('roll back');
  });
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

function countBySubject(events: CloudEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.subject, (counts.get(e.subject) ?? 0) + 1);
  return counts;
}

describe('event outbox and relay (MariaDB, real Redis)', () => {
  let app: TestApp;
  let reader: QueueReader;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql' });
    reader = new QueueReader(app.config.events.queue);
  });
  afterAll(async () => {
    await reader?.close();
    await app?.destroy();
  });

  it('publishes a committed transaction\'s events as CloudEvents, job name = type, job id = event id', async () => {
    const subject = randomUUID();
    await recordInTransaction(app, [subject]);
    const events = await reader.waitFor((es) => es.some((e) => e.subject === subject));
    const event = events.find((e) => e.subject === subject)!;
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: app.config.events.source,
      type: 'identity.created',
      subject,
      time: expect.any(String),
      datacontenttype: 'application/json',
      data: { id: subject },
    });
    const job = (await reader.jobs()).find((j) => j.data.subject === subject)!;
    expect(job.name).toBe('identity.created');
    expect(job.id).toBe(event.id);
  });

  it('never publishes a rolled-back transaction\'s events', async () => {
    const rolledBack = randomUUID();
    const committed = randomUUID();
    await expect(recordInTransaction(app, [rolledBack], true)).rejects.toThrow('roll back');
    await recordInTransaction(app, [committed]);
    const events = await reader.waitFor((es) => es.some((e) => e.subject === committed));
    expect(events.some((e) => e.subject === committed)).toBe(true);
    expect(events.some((e) => e.subject === rolledBack)).toBe(false);
    expect(await eventually(() => app.app.get(OutboxRepository).countPending(), (n) => n === 0)).toBe(0);
  });

  it('refuses to record outside a transaction', async () => {
    await expect(app.app.get(EventRecorder).record({ type: 'identity.created', subject: 'x', data: {} })).rejects.toThrow(/UnitOfWork/);
  });
});

describe('relay while Redis is down (private redis-server)', () => {
  let redis: DisposableRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    app = await startTestApp({
      dialect: 'mysql',
      env: { REDIS_URL: redis.url, EVENTS_RELAY_INTERVAL_MS: '50', EVENTS_RELAY_MAX_BACKOFF_MS: '400' },
    });
  });
  afterAll(async () => {
    await app?.destroy();
    await redis?.stop();
  });

  it('keeps writes working while Redis is down and delivers every event exactly once after it returns', async () => {
    const before = randomUUID();
    await recordInTransaction(app, [before]);
    let reader = new QueueReader(app.config.events.queue, redis.url);
    await reader.waitFor((es) => es.some((e) => e.subject === before));
    await reader.close();

    await redis.stop();
    const during = Array.from({ length: 25 }, () => randomUUID());
    for (const subject of during) await recordInTransaction(app, [subject]); // writes succeed without Redis
    expect(await app.app.get(OutboxRepository).countPending()).toBe(during.length);
    await fetch(`${app.adminUrl}/health/ready`).then(async (r) => {
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ redis: 'down' });
    });

    // A killed Redis loses its data: a fresh one comes back on the same port, as after a failover without persistence.
    await redis.start();
    reader = new QueueReader(app.config.events.queue, redis.url);
    const events = await reader.waitFor((es) => during.every((s) => es.some((e) => e.subject === s)), 20_000);
    const counts = countBySubject(events);
    for (const subject of during) expect(counts.get(subject)).toBe(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // The relay marks rows published in the transaction that publishes them; the jobs can be seen just before it commits.
    expect(await eventually(() => app.app.get(OutboxRepository).countPending(), (n) => n === 0)).toBe(0);
    await reader.close();
  });
});

describe('two relays on one database', () => {
  let first: TestApp;
  let second: TestApp;
  let reader: QueueReader;

  beforeAll(async () => {
    first = await startTestApp({ dialect: 'mysql', env: { EVENTS_RELAY_BATCH_SIZE: '7', EVENTS_RELAY_INTERVAL_MS: '20' } });
    second = await startTestApp({
      database: first.database,
      env: { EVENTS_QUEUE: first.config.events.queue, EVENTS_RELAY_BATCH_SIZE: '7', EVENTS_RELAY_INTERVAL_MS: '20' },
    });
    reader = new QueueReader(first.config.events.queue);
  });
  afterAll(async () => {
    await reader?.close();
    await second?.stop();
    await first?.destroy();
  });

  it('claims rows with SKIP LOCKED: every event published once, none lost', async () => {
    const subjects = Array.from({ length: 200 }, () => randomUUID());
    // Count what each relay hands to BullMQ: the queue's jobId dedup must not be what hides a double claim.
    const handed: string[] = [];
    for (const app of [first, second]) {
      const publisher = app.app.get(EventPublisher);
      const original = publisher.publish.bind(publisher);
      jest.spyOn(publisher, 'publish').mockImplementation(async (events) => {
        await original(events);
        handed.push(...events.map((e) => e.subject));
      });
    }
    // Write through both replicas at once, in small transactions, while both relays run.
    await Promise.all(
      subjects.map((s, i) => recordInTransaction(i % 2 === 0 ? first : second, [s])),
    );
    await Promise.all([first.app.get(OutboxRelay).flush(), second.app.get(OutboxRelay).flush()]);
    const events = await reader.waitFor((es) => es.length >= subjects.length);
    const counts = countBySubject(events);
    expect(events).toHaveLength(subjects.length);
    for (const s of subjects) expect(counts.get(s)).toBe(1);
    expect(handed.sort()).toEqual([...subjects].sort());
  });
});
