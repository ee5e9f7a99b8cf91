import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../src/database/unit-of-work';
import { EventPublisher } from '../src/events/event-publisher';
import { EventRecorderService } from '../src/events/event-recorder.service';
import { OutboxRelayService } from '../src/events/outbox-relay.service';
import { OutboxRepository, RELAY_REPLICA_ID } from '../src/events/outbox.repository';
import type { CloudEvent } from '../src/events/cloud-event';
import type { EventPayloads } from '../src/events/event-catalogue';
import { DisposableRedis } from './support/redis-server';
import { QueueReader, startTestApp, TestApp } from './support/test-app';

/** A schema-valid identity.created payload (record() accepts only a type's own payload). */
function identityData(id: string): EventPayloads['identity.created'] {
  const at = '2026-01-01T00:00:00Z';
  return {
    id,
    schema_id: 'default',
    schema_url: 'http://localhost/schemas/ZGVmYXVsdA',
    state: 'active',
    traits: {},
    metadata_public: null,
    created_at: at,
    updated_at: at,
  };
}

/** Records `count` identity.created events in one transaction through the app's own services. */
async function recordInTransaction(app: TestApp, subjects: string[], fail = false): Promise<void> {
  const uow = app.app.get(UnitOfWork);
  const recorder = app.app.get(EventRecorderService);
  await uow.run(async () => {
    await recorder.record(...subjects.map((subject) => ({ type: 'identity.created' as const, subject, data: identityData(subject) })));
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

  it("publishes a committed transaction's events as CloudEvents, job name = type, job id = event id", async () => {
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
      data: identityData(subject),
    });
    const job = (await reader.jobs()).find((j) => j.data.subject === subject)!;
    expect(job.name).toBe('identity.created');
    expect(job.id).toBe(event.id);
  });

  it("never publishes a rolled-back transaction's events", async () => {
    const rolledBack = randomUUID();
    const committed = randomUUID();
    await expect(recordInTransaction(app, [rolledBack], true)).rejects.toThrow('roll back');
    await recordInTransaction(app, [committed]);
    const events = await reader.waitFor((es) => es.some((e) => e.subject === committed));
    expect(events.some((e) => e.subject === committed)).toBe(true);
    expect(events.some((e) => e.subject === rolledBack)).toBe(false);
    expect(
      await eventually(
        () => app.app.get(OutboxRepository).countPending(),
        (n) => n === 0,
      ),
    ).toBe(0);
  });

  it('refuses to record outside a transaction', async () => {
    await expect(app.app.get(EventRecorderService).record({ type: 'identity.created', subject: 'x', data: identityData('x') })).rejects.toThrow(/UnitOfWork/);
  });
});

describe('relay coalescing (EVENTS_RELAY_COALESCE_MS)', () => {
  let app: TestApp;
  let reader: QueueReader;
  const batches: string[][] = [];

  beforeAll(async () => {
    // No polls in the way: only commits wake the relay.
    app = await startTestApp({ dialect: 'mysql', env: { EVENTS_RELAY_COALESCE_MS: '300', EVENTS_RELAY_INTERVAL_MS: '60000' } });
    reader = new QueueReader(app.config.events.queue);
    const publisher = app.app.get(EventPublisher);
    const original = publisher.publish.bind(publisher);
    jest.spyOn(publisher, 'publish').mockImplementation(async (events) => {
      batches.push(events.map((e) => e.subject));
      await original(events);
    });
  });
  afterAll(async () => {
    await reader?.close();
    await app?.destroy();
  });

  it('publishes an event committed after a quiet spell at once', async () => {
    await new Promise((r) => setTimeout(r, 400));
    const subject = randomUUID();
    const committed = Date.now();
    await recordInTransaction(app, [subject]);
    await reader.waitFor((es) => es.some((e) => e.subject === subject));
    expect(Date.now() - committed).toBeLessThan(250);
  });

  it('carries the events committed during a cycle window together in the next cycle, in commit order', async () => {
    await new Promise((r) => setTimeout(r, 400));
    batches.length = 0;
    const subjects: string[] = Array.from({ length: 30 }, () => randomUUID());
    // One transaction after another for about half a second: without coalescing, about one cycle per commit.
    for (const subject of subjects) {
      await recordInTransaction(app, [subject]);
      await new Promise((r) => setTimeout(r, 15));
    }
    const events = await reader.waitFor((es) => subjects.every((s) => es.some((e) => e.subject === s)));
    expect(countBySubject(events.filter((e) => subjects.includes(e.subject))).size).toBe(30);
    expect(batches.flat()).toEqual(subjects);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThanOrEqual(5);
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
    expect(
      await eventually(
        () => app.app.get(OutboxRepository).countPending(),
        (n) => n === 0,
      ),
    ).toBe(0);
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
    await Promise.all(subjects.map((s, i) => recordInTransaction(i % 2 === 0 ? first : second, [s])));
    await Promise.all([first.app.get(OutboxRelayService).flush(), second.app.get(OutboxRelayService).flush()]);
    const events = await reader.waitFor((es) => es.length >= subjects.length);
    const counts = countBySubject(events);
    expect(events).toHaveLength(subjects.length);
    for (const s of subjects) expect(counts.get(s)).toBe(1);
    expect(handed.sort()).toEqual([...subjects].sort());
  });
});

describe.each(['mysql', 'sqlite'] as const)('outbox claims (%s)', (dialect) => {
  let app: TestApp;
  let reader: QueueReader;
  let outbox: OutboxRepository;
  let uow: UnitOfWork;
  let relay: OutboxRelayService;

  // The relay only runs when a test flushes it, so that each test decides who claims what.
  beforeAll(async () => {
    app = await startTestApp({ dialect, env: { EVENTS_RELAY_ENABLED: 'false', EVENTS_RELAY_BATCH_SIZE: '10' } });
    reader = new QueueReader(app.config.events.queue);
    outbox = app.app.get(OutboxRepository);
    uow = app.app.get(UnitOfWork);
    relay = app.app.get(OutboxRelayService);
  });
  afterAll(async () => {
    await reader?.close();
    await app?.destroy();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await relay.flush();
  });

  const rows = (subjects: string[]) =>
    uow
      .manager()
      .query<Array<{ subject: string; claimedBy: string | null; expiresAt: unknown; publishedAt: unknown; attempts: number }>>(
        `SELECT subject, claimed_by AS claimedBy, claim_expires_at AS expiresAt, published_at AS publishedAt, attempts FROM event_outbox WHERE subject IN (${subjects.map(() => '?').join(', ')}) ORDER BY seq`,
        subjects,
      );

  it('skips rows another relay holds until its lease lapses, then publishes them (a relay that died mid-batch)', async () => {
    const held: string[] = Array.from({ length: 4 }, () => randomUUID());
    const free = Array.from({ length: 3 }, () => randomUUID());
    await recordInTransaction(app, held);
    const dead = await uow.run(() => outbox.claimPending(10, 60_000, 'dead-host:1:00000000#1'));
    expect(dead.events.map((e) => e.event.subject)).toEqual(held);
    await recordInTransaction(app, free);
    expect(await relay.flush()).toBe(3);
    let events = await reader.waitFor((es) => free.every((s) => es.some((e) => e.subject === s)));
    expect(events.filter((e) => held.includes(e.subject))).toEqual([]);
    expect((await rows(held)).every((r) => r.claimedBy === 'dead-host:1:00000000#1' && r.publishedAt === null)).toBe(true);

    await uow.run(() =>
      uow.manager().query("UPDATE event_outbox SET claim_expires_at = '2000-01-01 00:00:00.000' WHERE claimed_by = ?", ['dead-host:1:00000000#1']),
    );
    expect(await relay.flush()).toBe(4);
    events = await reader.waitFor((es) => held.every((s) => es.some((e) => e.subject === s)));
    expect(countBySubject(events.filter((e) => held.includes(e.subject)))).toEqual(new Map(held.map((s) => [s, 1])));
    const after = await rows(held);
    expect(after.every((r) => r.publishedAt !== null && r.attempts === 2 && r.expiresAt === null)).toBe(true);
    expect(after[0].claimedBy).not.toBe('dead-host:1:00000000#1');
    // The dead relay's late mark changes nothing: the rows are no longer its claim.
    expect(await uow.run(() => outbox.markPublished(dead))).toBe(0);
  });

  it('releases the claim at once when publishing fails; the next round publishes the rows', async () => {
    const subjects = Array.from({ length: 5 }, () => randomUUID());
    await recordInTransaction(app, subjects);
    jest.spyOn(app.app.get(EventPublisher), 'publish').mockRejectedValueOnce(new Error('Redis went away'));
    await expect(relay.flush()).rejects.toThrow('Redis went away');
    expect((await rows(subjects)).map((r) => [r.claimedBy, r.expiresAt, r.publishedAt, r.attempts])).toEqual(subjects.map(() => [null, null, null, 1]));
    expect(await relay.flush()).toBe(5);
    expect((await rows(subjects)).every((r) => r.publishedAt !== null && r.attempts === 2 && r.claimedBy?.startsWith(`${RELAY_REPLICA_ID}#`))).toBe(true);
  });

  it('gives claims made at the same moment in one process disjoint rows, oldest first', async () => {
    const subjects = Array.from({ length: 40 }, () => randomUUID());
    await recordInTransaction(app, subjects);
    const claims = await Promise.all(Array.from({ length: 6 }, () => uow.run(() => outbox.claimPending(8, 60_000), { isolation: 'READ COMMITTED' })));
    const claimed = claims.flatMap((c) => c.events.map((e) => e.event.subject));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBeGreaterThanOrEqual(dialect === 'sqlite' ? 40 : 8);
    for (const c of claims) {
      const seqs = c.events.map((e) => BigInt(e.seq));
      expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    }
    for (const c of claims) await uow.run(() => outbox.release(c));
  });
});
