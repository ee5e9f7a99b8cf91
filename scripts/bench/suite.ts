/*
 * `npm run bench [-- --quick] [-- --scenario get,list]`: every benchmark scenario, each against its raw baseline
 * (bench/raw-server.ts: bare Fastify + mysql2 with the service's statements) on the same MariaDB database, in
 * interleaved rounds (baseline, service, baseline, …). Prints one table of medians: throughput of each, their ratio,
 * the service's p50/p99, errors, and the service's RSS. Targets only 127.0.0.1; every load is bounded in time.
 * Not a test: it asserts nothing and `npm test` does not run it.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { createPool } from 'mysql2/promise';
import { Pool } from 'undici';
import { freePort } from '../../test/support/free-port';
import { TEST_REDIS_URL } from '../../test/support/test-app';
import { createTestDatabase } from '../../test/support/test-database';

const ROOT = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args
  .find((a, i) => args[i - 1] === '--scenario' || a.startsWith('--scenario='))
  ?.replace('--scenario=', '')
  .split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? (QUICK ? 3_000 : 8_000));
const SEEDED = QUICK ? 2_000 : 20_000;
/** How long the suite waits, quiet, before the last RSS reading (BENCH_QUIET_WAIT_MS). */
const QUIET_WAIT_MS = Number(process.env.BENCH_QUIET_WAIT_MS ?? 45_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PASSWORD = 'benchmark-password-1';
const BCRYPT = '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq';

interface Server {
  name: string;
  child: ChildProcess;
  publicUrl: string;
  adminUrl: string;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** CPU µs per request of the server process and of MariaDB (set by `measured`). */
  cpuUs?: number;
  dbCpuUs?: number;
  errors: number;
  count: number;
}

interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  admin?: boolean;
}

// ---- processes --------------------------------------------------------------------------------------------------

function spawnLogged(name: string, command: string, argv: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const log = openSync(join(tmpdir(), `bench-${name}.log`), 'w');
  return spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', log, log, 'ipc'] });
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startService(databaseUrl: string, queue: string): Promise<Server> {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  // BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service while the scenarios run.
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawnLogged('service', process.execPath, [...nodeArgs, join(ROOT, 'dist/main.js')], {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PUBLIC_PORT: String(publicPort),
    ADMIN_PORT: String(adminPort),
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    EVENTS_QUEUE: queue,
    REDIS_KEY_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    RECOVERY_SECRET: randomBytes(32).toString('hex'),
    // No Kubernetes endpoints to wait for at the end of a run.
    SHUTDOWN_DRAIN_DELAY: '0',
    // Logins from one address would hit the attempt limit long before the hash ceiling.
    LOGIN_THROTTLE_PER_ADDRESS: '100000000',
    LOGIN_THROTTLE_PER_IDENTIFIER: '100000000',
    // BENCH_SERVICE_ENV="EVENTS_RELAY_BATCH_SIZE=1000 …" tries other settings.
    ...Object.fromEntries(
      (process.env.BENCH_SERVICE_ENV ?? '')
        .split(' ')
        .filter(Boolean)
        .map((kv) => [kv.split('=')[0], kv.split('=').slice(1).join('=')]),
    ),
  });
  const server = { name: 'service', child, publicUrl: `http://127.0.0.1:${publicPort}`, adminUrl: `http://127.0.0.1:${adminPort}` };
  await waitFor(`${server.adminUrl}/health/ready`);
  return server;
}

async function startRaw(databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const child = spawnLogged('raw', process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench/raw-server.ts'), String(port), databaseUrl], {
    PATH: process.env.PATH,
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health/alive`);
  return { name: 'raw', child, publicUrl: url, adminUrl: url };
}

/** CPU time the process has used so far (all its threads), in milliseconds; Linux counts it in 10 ms ticks. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  return (utime + stime) * 10;
}

/** The MariaDB server's pid, to count its CPU per request too (it shares the cores with both servers). */
function mariadbPid(): number | undefined {
  const found = spawnSync('pidof', ['mariadbd'], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
  return found ? Number(found) : undefined;
}

/** Runs one scenario on `server` and adds the CPU per request of the server and of MariaDB to its sample. */
async function measured(server: Server, run: () => Promise<Sample>): Promise<Sample> {
  const db = mariadbPid();
  const before = [cpuMs(server.child.pid!), db ? cpuMs(db) : NaN];
  const sample = await run();
  const after = [cpuMs(server.child.pid!), db ? cpuMs(db) : NaN];
  return { ...sample, cpuUs: ((after[0] - before[0]) * 1000) / sample.count, dbCpuUs: ((after[1] - before[1]) * 1000) / sample.count };
}

function rssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

// ---- load -------------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/** A closed loop of `concurrency` clients for `durationMs`; `next` gives each request (it may send several). */
async function load(concurrency: number, durationMs: number, next: () => Promise<boolean>): Promise<Sample> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await next().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, count: latencies.length };
}

const pools = new Map<string, Pool>();
function poolFor(origin: string): Pool {
  if (!pools.has(origin)) pools.set(origin, new Pool(origin, { connections: 64, pipelining: 1 }));
  return pools.get(origin)!;
}

async function send(server: Server, request: Request): Promise<{ status: number; body: string }> {
  const origin = request.admin === false ? server.publicUrl : server.adminUrl;
  const res = await poolFor(origin).request({
    method: request.method,
    path: request.path,
    headers: { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
    body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

const ok = (status: number) => status >= 200 && status < 300;
const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];

// ---- fixtures ---------------------------------------------------------------------------------------------------

interface Fixtures {
  identityIds: string[];
  deepToken: string;
  loginEmail: string;
  sessionTokens: string[];
  sessionIds: string[];
  sessionOwner: string;
}

const batchBody = (n: number, tag: string) => ({
  identities: Array.from({ length: n }, (_, i) => ({
    create: {
      schema_id: 'default',
      traits: { email: `bench-${tag}-${i}-${randomUUID().slice(0, 8)}@example.com` },
      credentials: { password: { config: { hashed_password: BCRYPT } } },
    },
  })),
});

async function prepare(service: Server): Promise<Fixtures> {
  for (let done = 0; done < SEEDED; done += 1000) {
    const res = await send(service, { method: 'PATCH', path: '/admin/identities', body: batchBody(1000, `seed${done}`) });
    if (!ok(res.status)) throw new Error(`seeding failed: ${res.status} ${res.body.slice(0, 200)}`);
  }
  const ids: string[] = [];
  let token = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = JSON.parse((await send(service, { method: 'GET', path: `/admin/identities?page_size=1000&page_token=${token}` })).body) as Array<{
      id: string;
    }>;
    ids.push(...page.map((p) => p.id));
    if (page.length < 1000) break;
    token = page[page.length - 1].id;
  }
  const loginEmail = `bench-login-${randomUUID().slice(0, 8)}@example.com`;
  // An argon2id hash with the service's default parameters, imported: logins then verify what the service would hash.
  const hashed = await argon2Hash(PASSWORD, { algorithm: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
  const created = await send(service, {
    method: 'POST',
    path: '/admin/identities',
    body: { schema_id: 'default', traits: { email: loginEmail }, credentials: { password: { config: { hashed_password: hashed } } } },
  });
  const owner = (JSON.parse(created.body) as { id: string }).id;
  const sessionTokens: string[] = [];
  const sessionIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    const login = JSON.parse(await serviceLogin(service, loginEmail)) as { session_token: string; session: { id: string } };
    sessionTokens.push(login.session_token);
    sessionIds.push(login.session.id);
  }
  return { identityIds: ids, deepToken: ids[ids.length - 300], loginEmail, sessionTokens, sessionIds, sessionOwner: owner };
}

async function serviceLogin(service: Server, identifier: string): Promise<string> {
  const flow = JSON.parse((await send(service, { method: 'GET', path: '/self-service/login/api', admin: false })).body) as { id: string };
  const res = await send(service, {
    method: 'POST',
    path: `/self-service/login?flow=${flow.id}`,
    admin: false,
    body: { method: 'password', identifier, password: PASSWORD },
  });
  if (!ok(res.status)) throw new Error(`login failed: ${res.status} ${res.body.slice(0, 200)}`);
  return res.body;
}

// ---- scenarios --------------------------------------------------------------------------------------------------

type Runner = (server: Server, f: Fixtures) => Promise<Sample>;

const http = (concurrency: number, request: (server: Server, f: Fixtures) => Request): Runner => {
  return (server, f) => load(concurrency, DURATION_MS, async () => ok((await send(server, request(server, f))).status));
};

let created = 0;
const SCENARIOS: Record<string, { runner: Runner; note?: string }> = {
  health: { runner: http(CONCURRENCY, () => ({ method: 'GET', path: '/health/alive' })) },
  get: { runner: http(CONCURRENCY, (_s, f) => ({ method: 'GET', path: `/admin/identities/${pick(f.identityIds)}` })) },
  list: {
    runner: http(CONCURRENCY / 4, (_s, f) => ({
      method: 'GET',
      path: Math.random() < 0.5 ? '/admin/identities?page_size=250' : `/admin/identities?page_size=250&page_token=${f.deepToken}`,
    })),
    note: 'page of 250, first and deep',
  },
  create: {
    runner: http(CONCURRENCY, () => ({
      method: 'POST',
      path: '/admin/identities',
      body: { schema_id: 'default', traits: { email: `bench-c-${created++}-${randomUUID().slice(0, 8)}@example.com` } },
    })),
    note: 'traits only, with its event',
  },
  batch: {
    runner: (server) =>
      load(1, DURATION_MS, async () => ok((await send(server, { method: 'PATCH', path: '/admin/identities', body: batchBody(1000, `b${created++}`) })).status)),
    note: '1000 pre-hashed; p50 = seconds per batch ×1000',
  },
  login: {
    runner: (server, f) =>
      load(CONCURRENCY, DURATION_MS, async () => {
        if (server.name === 'raw')
          return ok((await send(server, { method: 'POST', path: '/login', body: { identifier: f.loginEmail, password: PASSWORD } })).status);
        await serviceLogin(server, f.loginEmail);
        return true;
      }),
    note: 'baseline: lookup + argon2id verify (the hash ceiling)',
  },
  whoami: {
    runner: http(CONCURRENCY, (_s, f) => ({ method: 'GET', path: '/sessions/whoami', admin: false, headers: { 'x-session-token': pick(f.sessionTokens) } })),
  },
  'session-get': { runner: http(CONCURRENCY, (_s, f) => ({ method: 'GET', path: `/admin/sessions/${pick(f.sessionIds)}` })) },
  'identity-sessions': { runner: http(CONCURRENCY, (_s, f) => ({ method: 'GET', path: `/admin/identities/${f.sessionOwner}/sessions` })) },
};

/** GET p99 alone, then while logins saturate the hasher: hashing must not starve other requests. */
async function loginStorm(service: Server, f: Fixtures): Promise<{ alone: number; storm: number }> {
  const get = () => send(service, { method: 'GET', path: `/admin/identities/${pick(f.identityIds)}` }).then((r) => ok(r.status));
  const alone = await load(2, DURATION_MS, get);
  const [, storm] = await Promise.all([load(8, DURATION_MS, () => serviceLogin(service, f.loginEmail).then(() => true)), load(2, DURATION_MS, get)]);
  return { alone: alone.p99, storm: storm.p99 };
}

/**
 * Memory under a mixed load (reads, creates, whoami, logins) for BENCH_SOAK_MS (10 minutes; 1 with --quick): RSS
 * sampled every 5 s. Bounded means the second half does not climb: its slope (least squares) is what is reported,
 * with the RSS after the first minute and at the end. Only with `--scenario soak` (it takes the whole duration).
 */
async function soak(service: Server, f: Fixtures): Promise<{ warm: number; end: number; max: number; slopePerMin: number; requests: number }> {
  const durationMs = Number(process.env.BENCH_SOAK_MS ?? (QUICK ? 60_000 : 600_000));
  const samples: Array<{ t: number; rss: number }> = [];
  const start = performance.now();
  const timer = setInterval(() => samples.push({ t: (performance.now() - start) / 60_000, rss: rssMiB(service.child) }), 5_000);
  const mixed = async () => {
    const roll = Math.random();
    if (roll < 0.02) return serviceLogin(service, f.loginEmail).then(() => true);
    const request: Request =
      roll < 0.4
        ? { method: 'GET', path: `/admin/identities/${pick(f.identityIds)}` }
        : roll < 0.45
          ? { method: 'GET', path: '/admin/identities?page_size=250' }
          : roll < 0.65
            ? {
                method: 'POST',
                path: '/admin/identities',
                body: { schema_id: 'default', traits: { email: `soak-${created++}-${randomUUID().slice(0, 8)}@example.com` } },
              }
            : { method: 'GET', path: '/sessions/whoami', admin: false, headers: { 'x-session-token': pick(f.sessionTokens) } };
    return ok((await send(service, request)).status);
  };
  const result = await load(8, durationMs, mixed);
  clearInterval(timer);
  const warm = samples.find((x) => x.t >= 1)?.rss ?? samples[0]?.rss ?? NaN;
  const late = samples.filter((x) => x.t >= samples[samples.length - 1].t / 2);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [mt, mr] = [mean(late.map((x) => x.t)), mean(late.map((x) => x.rss))];
  const slopePerMin = late.reduce((a, x) => a + (x.t - mt) * (x.rss - mr), 0) / late.reduce((a, x) => a + (x.t - mt) ** 2, 0);
  return { warm, end: samples[samples.length - 1]?.rss ?? NaN, max: Math.max(...samples.map((x) => x.rss)), slopePerMin, requests: result.count };
}

/** Events/s: the service's relay draining rows inserted into the outbox, against BullMQ's addBulk of the same jobs. */
async function relay(databaseUrl: string, queueName: string): Promise<{ raw: number; service: number }> {
  const n = QUICK ? 5_000 : 20_000;
  const pool = createPool({ uri: databaseUrl, connectionLimit: 2 });
  const payload = (id: string) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      source: 'bench',
      type: 'identity.updated',
      subject: id,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { id },
    });
  const rows = Array.from({ length: n }, () => {
    const id = randomUUID();
    return [id, 'identity.updated', id, payload(id), new Date().toISOString().slice(0, 23).replace('T', ' ')];
  });
  const scalar = async (sql: string) => Number(((await pool.query(sql))[0] as Array<{ n: number | string | null }>)[0].n ?? 0);
  const after = await scalar('SELECT MAX(seq) AS n FROM event_outbox');
  const pending = () => scalar(`SELECT COUNT(*) AS n FROM event_outbox WHERE published_at IS NULL AND seq > ${after}`);
  // The rows go in first, in one transaction, so that the relay starts on the whole backlog.
  const conn = await pool.getConnection();
  await conn.beginTransaction();
  for (let i = 0; i < rows.length; i += 1000)
    await conn.query('INSERT INTO event_outbox (id, type, subject, payload, created_at) VALUES ?', [rows.slice(i, i + 1000)]);
  await conn.commit();
  conn.release();
  const t0 = performance.now();
  const deadline = t0 + 120_000;
  while ((await pending()) > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // The drain rate, from the database's own times: the relay polls (EVENTS_RELAY_INTERVAL_MS) for rows that, as
  // here, did not come through the service, and that wait before the first batch is not publishing throughput.
  // A batch's rows share one published_at: the rate is what came after the first batch over the time it took.
  const first = `(SELECT MIN(published_at) FROM event_outbox WHERE seq > ${after})`;
  const spanMs = await scalar(`SELECT TIMESTAMPDIFF(MICROSECOND, ${first}, MAX(published_at)) / 1000 AS n FROM event_outbox WHERE seq > ${after}`);
  const later = await scalar(`SELECT COUNT(*) AS n FROM event_outbox WHERE seq > ${after} AND published_at > ${first}`);
  const service = spanMs > 0 ? later / (spanMs / 1000) : (n - (await pending())) / ((performance.now() - t0) / 1000);
  await pool.end();

  const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(`${queueName}-raw`, { connection });
  const t1 = performance.now();
  for (let i = 0; i < rows.length; i += 500) {
    await queue.addBulk(rows.slice(i, i + 500).map(([id, type, , json]) => ({ name: type, data: JSON.parse(json) as object, opts: { jobId: id } })));
  }
  const raw = n / ((performance.now() - t1) / 1000);
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { raw, service };
}

/** 201 → worker latency at a fixed rate of creates (open loop). */
async function eventLatency(
  service: Server,
  queueName: string,
  rate: number,
  databaseUrl: string,
): Promise<{ p50: number; p99: number; n: number; outboxP50: number; outboxP99: number }> {
  const createdAt = new Map<string, number>();
  const latencies: number[] = [];
  const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  // Earlier scenarios (the relay's) left jobs in the queue; a worker would work through those first.
  const backlog = new Queue(queueName, { connection });
  await backlog.drain();
  await backlog.close();
  const worker = new Worker(
    queueName,
    (job: Job<{ subject: string }>) => {
      const t = createdAt.get(job.data.subject);
      if (t !== undefined) latencies.push(performance.now() - t);
      return Promise.resolve();
    },
    { connection, concurrency: 50 },
  );
  await worker.waitUntilReady();
  const total = rate * Math.round(DURATION_MS / 1000);
  const sends: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(
      send(service, {
        method: 'POST',
        path: '/admin/identities',
        body: { schema_id: 'default', traits: { email: `bench-l-${i}-${randomUUID().slice(0, 8)}@example.com` } },
      }).then((res) => {
        if (ok(res.status)) createdAt.set((JSON.parse(res.body) as { id: string }).id, performance.now());
      }),
    );
  }
  await Promise.all(sends);
  const deadline = performance.now() + 10_000;
  while (latencies.length < createdAt.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await worker.close();
  connection.disconnect();
  latencies.sort((a, b) => a - b);
  // The relay's part of it: commit (created_at) to published_at, as the database saw them.
  const pool = createPool({ uri: databaseUrl, connectionLimit: 1 });
  const [rows] = await pool.query(
    'SELECT TIMESTAMPDIFF(MICROSECOND, created_at, published_at) / 1000 AS ms FROM event_outbox WHERE subject IN (?) AND type = ?',
    [[...createdAt.keys()], 'identity.created'],
  );
  await pool.end();
  const outbox = (rows as Array<{ ms: string | number | null }>).map((r) => Number(r.ms ?? NaN)).sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    n: latencies.length,
    outboxP50: percentile(outbox, 50),
    outboxP99: percentile(outbox, 99),
  };
}

// ---- main -------------------------------------------------------------------------------------------------------

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const cpu = (samples: Sample[]) => `${fmt(median(samples.map((x) => x.cpuUs ?? NaN)))} (${fmt(median(samples.map((x) => x.dbCpuUs ?? NaN)))})`;

async function main(): Promise<void> {
  if (!args.includes('--no-build')) {
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('nest build failed');
  }
  const database = await createTestDatabase('mysql');
  const queue = `bench-events-${randomBytes(4).toString('hex')}`;
  const service = await startService(database.url, queue);
  const idleRss = rssMiB(service.child);
  const raw = await startRaw(database.url);
  const out: string[] = [];
  try {
    console.log(`seeding ${SEEDED} identities …`);
    const fixtures = await prepare(service);
    const names = Object.keys(SCENARIOS).filter((s) => !ONLY || ONLY.includes(s));
    console.log(
      `| scenario | baseline req/s | service req/s | ratio | service p50 ms | service p99 ms | errors | CPU µs/req baseline · service (MariaDB) | notes |`,
    );
    console.log(`|---|---|---|---|---|---|---|---|---|`);
    for (const name of names) {
      const samples: { raw: Sample[]; service: Sample[] } = { raw: [], service: [] };
      for (let round = 0; round < ROUNDS; round++) {
        samples.raw.push(await measured(raw, () => SCENARIOS[name].runner(raw, fixtures)));
        samples.service.push(await measured(service, () => SCENARIOS[name].runner(service, fixtures)));
      }
      const r = median(samples.raw.map((s) => s.rps));
      const s = median(samples.service.map((x) => x.rps));
      const errors = samples.service.reduce((n, x) => n + x.errors, 0) + samples.raw.reduce((n, x) => n + x.errors, 0);
      const line = `| ${name} | ${fmt(r, 1)} | ${fmt(s, 1)} | ${fmt(s / r, 2)} | ${fmt(median(samples.service.map((x) => x.p50)), 1)} | ${fmt(median(samples.service.map((x) => x.p99)), 1)} | ${errors} | ${cpu(samples.raw)} · ${cpu(samples.service)} | ${SCENARIOS[name].note ?? ''} |`;
      console.log(line);
      out.push(line);
    }
    if (!ONLY || ONLY.includes('login-storm')) {
      const storm = await loginStorm(service, fixtures);
      console.log(
        `| login-storm | GET p99 alone ${fmt(storm.alone, 1)} ms | during logins ${fmt(storm.storm, 1)} ms | ${fmt(storm.storm / storm.alone, 2)} | | | | | target ≤ 2 |`,
      );
    }
    if (!ONLY || ONLY.includes('relay')) {
      const results = [];
      for (let round = 0; round < ROUNDS; round++) results.push(await relay(database.url, queue));
      const r = median(results.map((x) => x.raw));
      const s = median(results.map((x) => x.service));
      console.log(`| relay | ${fmt(r, 0)} | ${fmt(s, 0)} | ${fmt(s / r, 2)} | | | | | events/s: outbox → BullMQ vs raw addBulk |`);
    }
    if (ONLY?.includes('soak')) {
      const m = await soak(service, fixtures);
      console.log(
        `| soak | | ${m.requests} requests | | | | | | RSS ${fmt(m.warm)} MiB after 1 min, ${fmt(m.end)} at the end, max ${fmt(m.max)}; second half ${fmt(m.slopePerMin, 2)} MiB/min |`,
      );
    }
    if (!ONLY || ONLY.includes('latency')) {
      const latency = await eventLatency(service, queue, 200, database.url);
      console.log(
        `| event latency | | 200 creates/s | | ${fmt(latency.p50, 1)} | ${fmt(latency.p99, 1)} | | | 201 → BullMQ worker, n=${latency.n}; commit → published p50 ${fmt(latency.outboxP50, 1)} p99 ${fmt(latency.outboxP99, 1)}; target p99 < 100 |`,
      );
    }
    const afterRuns = rssMiB(service.child);
    // The service gives memory back after IDLE_MEMORY_TRIM_AFTER (30 s) of quiet: the RSS an idle replica keeps.
    await new Promise((r) => setTimeout(r, QUIET_WAIT_MS));
    console.log(
      `\nservice RSS: ${fmt(idleRss, 0)} MiB at ready, ${fmt(afterRuns, 0)} MiB after the runs, ${fmt(rssMiB(service.child), 0)} MiB after ${QUIET_WAIT_MS / 1000} s quiet; raw server ${fmt(rssMiB(raw.child), 0)} MiB`,
    );
  } finally {
    const exited = (child: ChildProcess) => (child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())));
    service.child.kill('SIGTERM');
    raw.child.kill('SIGTERM');
    for (const pool of pools.values()) await pool.close();
    await Promise.race([Promise.all([exited(service.child), exited(raw.child)]), new Promise((r) => setTimeout(r, 20_000))]);
    await database.drop();
    // The events the service published stay in Redis otherwise (hundreds of thousands of jobs after a full run).
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const published = new Queue(queue, { connection });
    await published.obliterate({ force: true });
    await published.close();
    connection.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
