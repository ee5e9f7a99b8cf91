import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { loadConfig } from '../src/config/app-config';
import { runPendingMigrations } from '../src/database/run-migrations';
import { GaleraCluster, galeraAvailable } from './support/galera-cluster';
import { runService, ServiceProcess, serviceSettings } from './support/service-process';
import { QueueReader, TEST_REDIS_URL } from './support/test-app';

/** One service process per Galera node, all relaying to one queue. */
interface Replica {
  service: ServiceProcess;
  adminUrl: string;
}

const NODES = 3;
const IDENTITIES_PER_REPLICA = 100;

async function sumPublished(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^events_published_total\{[^}]*\} (\d+(?:\.\d+)?)$/.exec(line);
    if (m) total += Number(m[1]);
  }
  return total;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const describeGalera = galeraAvailable() ? describe : describe.skip;

/**
 * Galera row locks are local to a node: three relays on three nodes used to publish the same rows (SKIP LOCKED skips
 * only rows locked on the same node). The claim is a conditional UPDATE that certification resolves; this counts
 * what each relay handed to BullMQ (events_published_total) against the distinct events.
 */
describeGalera('event relay on a 3-node Galera cluster (multi-primary)', () => {
  let cluster: GaleraCluster | undefined;
  let cwd: string;
  let reader: QueueReader | undefined;
  const replicas: Replica[] = [];
  const queue = `galera-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-galera-'));
    cluster = await GaleraCluster.start(NODES);
    await cluster.query(0, 'CREATE DATABASE kratos CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
    // The schema once, through one node (DDL replicates in total order); the services then only check it.
    await runPendingMigrations(loadConfig({ DATABASE_URL: cluster.url(0, 'kratos') }).database);
    const settings = await Promise.all(
      Array.from({ length: NODES }, (_, i) =>
        serviceSettings(cluster!.url(i, 'kratos'), {
          EVENTS_QUEUE: queue,
          REDIS_KEY_PREFIX: queue,
          DATABASE_AUTO_MIGRATE: 'false',
          DATABASE_WSREP_SYNC_WAIT: '1',
          EVENTS_RELAY_INTERVAL_MS: '50',
          EVENTS_RELAY_BATCH_SIZE: '20',
          // Certification conflicts between the claims are expected; give them room.
          DATABASE_TX_RETRIES: '6',
        }),
      ),
    );
    for (const s of settings) replicas.push({ service: runService(cwd, s.env), adminUrl: s.adminUrl });
    for (const r of replicas) {
      await until('readiness', async () => ((await fetch(`${r.adminUrl}/health/ready`)).status === 200 ? true : undefined), 60_000).catch((err) => {
        throw new Error(`${(err as Error).message}\n${r.service.output()}`);
      });
    }
    reader = new QueueReader(queue);
  }, 110_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.service.kill('SIGKILL')));
    await reader?.close();
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const jobs = new Queue(queue, { connection });
    await jobs.obliterate({ force: true }).catch(() => undefined);
    await jobs.close();
    connection.disconnect();
    await cluster?.stop();
    rmSync(cwd, { recursive: true, force: true });
  }, 30_000);

  it('writes on every node, relays on every node: every event published once, none lost; reads see writes of other nodes', async () => {
    // Each write goes to one node; the read right after it to the next node (DATABASE_WSREP_SYNC_WAIT=1).
    const readsAfterWrites: number[] = [];
    const created = await Promise.all(
      replicas.map(async (replica, i) => {
        const next = replicas[(i + 1) % NODES];
        const ids: string[] = [];
        for (let batch = 0; batch < IDENTITIES_PER_REPLICA / 10; batch++) {
          ids.push(
            ...(await Promise.all(
              Array.from({ length: 10 }, async () => {
                const res = await fetch(`${replica.adminUrl}/admin/identities`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ schema_id: 'default', traits: { email: `g-${randomUUID()}@example.com` } }),
                });
                expect(res.status).toBe(201);
                const id = ((await res.json()) as { id: string }).id;
                readsAfterWrites.push((await fetch(`${next.adminUrl}/admin/identities/${id}`)).status);
                return id;
              }),
            )),
          );
        }
        return ids;
      }),
    );
    const subjects = created.flat();
    expect(subjects).toHaveLength(NODES * IDENTITIES_PER_REPLICA);
    expect(readsAfterWrites.filter((s) => s !== 200)).toEqual([]);

    // Every committed event, as the outbox holds it, ends up in the queue.
    const committed = await cluster!.query<Array<{ id: string }>>(0, 'SELECT id FROM kratos.event_outbox');
    const events = await reader!.waitFor((es) => es.length >= committed.length, 30_000);
    const jobIds = new Set(events.map((e) => e.id));
    expect(committed.filter((row) => !jobIds.has(row.id))).toEqual([]);
    const createdEvents = events.filter((e) => e.type === 'identity.created').map((e) => e.subject);
    expect(new Set(createdEvents)).toEqual(new Set(subjects));

    // Every relay is done once nothing is pending on any node.
    await until(
      'an empty outbox backlog',
      async () => {
        const rows = await cluster!.query<Array<{ n: string }>>(0, 'SELECT COUNT(*) AS n FROM kratos.event_outbox WHERE published_at IS NULL');
        return Number(rows[0].n) === 0 ? true : undefined;
      },
      15_000,
    );
    const handed = (await Promise.all(replicas.map((r) => sumPublished(r.adminUrl)))).reduce((a, b) => a + b, 0);
    const [claims] = await cluster!.query<Array<{ rows: string; claims: string; publishers: string }>>(
      0,
      "SELECT COUNT(*) AS `rows`, SUM(attempts) AS claims, COUNT(DISTINCT SUBSTRING_INDEX(claimed_by, '#', 1)) AS publishers FROM kratos.event_outbox",
    );
    const duplicates = handed - committed.length;
    const conflicts = replicas.map((r) => (r.service.output().match(/transaction retried after/g) ?? []).length);
    console.log(
      `galera relay: ${committed.length} events, ${handed} handed to BullMQ (${duplicates} duplicates, ` +
        `${((100 * duplicates) / committed.length).toFixed(2)} %), ${claims.claims} claims of ${claims.rows} rows, ` +
        `${claims.publishers} publishing replicas, retried transactions per replica ${conflicts.join('/')}`,
    );
    expect(handed).toBeGreaterThanOrEqual(committed.length);
    expect(duplicates).toBeLessThanOrEqual(Math.floor(committed.length * 0.01));
    expect(jobIds.size).toBe(committed.length);
  }, 90_000);
});
