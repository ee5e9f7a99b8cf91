/*
 * `npm run bench:hostile`: how long the worst requests we know of keep the service's event loop busy. The service
 * runs as its own process on MariaDB; while each request runs, a probe asks GET /health/alive back to back on the
 * other port, and its slowest answer is the stall other clients saw. Figures are ratios to the stall seen while a
 * plain health probe runs (the raw baseline). Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runService, serviceSettings } from '../../test/support/service-process';
import { createTestDatabase } from '../../test/support/test-database';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Case {
  name: string;
  port: 'public' | 'admin';
  method: string;
  /** Path, or a function of a fresh registration flow id. */
  path: string | ((flowId: string) => string);
  body?: () => string;
  flow?: 'registration' | 'login';
}

const longPassword = 'p'.repeat(4096);
const json = (value: unknown) => () => JSON.stringify(value);
const registration = (email: string, password: string) => json({ method: 'password', password, traits: { email } });

const CASES: Case[] = [
  { name: 'baseline: GET /health/alive', port: 'public', method: 'GET', path: '/health/alive' },
  {
    name: 'registration, valid (argon2id off the loop)',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: () => registration(`u${Math.random()}@example.com`, 'correct horse battery staple 42')(),
  },
  {
    name: 'registration, 50 000-character email, 4 KiB password (the issue)',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: registration(`${'a'.repeat(50_000)}@example.com`, longPassword),
  },
  {
    name: 'registration, 254-character email, 4 KiB password (accepted)',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: () =>
      registration(`${Math.random().toString(36).slice(2, 10).padEnd(64, 'a')}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`, longPassword)(),
  },
  {
    name: 'registration, 250 KiB password',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: registration('big-password@example.com', 'p'.repeat(250 * 1024)),
  },
  {
    name: 'login, 4 KiB identifier and password',
    port: 'public',
    method: 'POST',
    flow: 'login',
    path: (f) => `/self-service/login?flow=${f}`,
    body: json({ method: 'password', identifier: 'i'.repeat(4096), password: longPassword }),
  },
  {
    name: 'public body nested 100 000 levels (refused)',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: () => '['.repeat(100_000) + ']'.repeat(100_000),
  },
  {
    name: 'public body of 250 KiB, 128 000 numbers',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: () => `[${'0,'.repeat(125 * 1024)}0]`,
  },
  {
    name: 'public body over the limit (refused while it arrives)',
    port: 'public',
    method: 'POST',
    flow: 'registration',
    path: (f) => `/self-service/registration?flow=${f}`,
    body: () => 'x'.repeat(10 * 1024 * 1024),
  },
  {
    name: 'admin body of 10 MiB, one 10 MiB string trait (accepted)',
    port: 'admin',
    method: 'POST',
    path: '/admin/identities',
    body: () =>
      JSON.stringify({ schema_id: 'default', traits: { email: `x${Math.random()}@example.com`, name: { first: 'x'.repeat(10 * 1024 * 1024 - 100) } } }),
  },
  {
    name: 'admin body of 4 MiB, 199 990 numbers in metadata (accepted)',
    port: 'admin',
    method: 'POST',
    path: '/admin/identities',
    body: () =>
      JSON.stringify({ schema_id: 'default', traits: { email: `y${Math.random()}@example.com` }, metadata_public: Array(199_990).fill(12345678901234567000) }),
  },
  {
    name: 'admin JSON Patch of 10 000 operations',
    port: 'admin',
    method: 'PATCH',
    path: '/admin/identities/IDENTITY',
    body: json(Array.from({ length: 10_000 }, (_, i) => ({ op: 'add', path: `/metadata_public/k${i}`, value: i }))),
  },
  {
    name: 'admin list with 250 ids',
    port: 'admin',
    method: 'GET',
    path: `/admin/identities?${Array.from({ length: 250 }, () => `ids=${crypto.randomUUID()}`).join('&')}`,
  },
];

/**
 * GET /health/alive back to back from a worker thread, so that the bench's own work (sending a 10 MiB body) does not
 * delay the probe; `stop` answers the slowest probe in milliseconds.
 */
class Prober {
  private readonly worker: Worker;
  readonly started: Promise<void>;

  constructor(baseUrl: string) {
    this.worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
      let running = true, worst = 0;
      parentPort.on('message', () => (running = false));
      (async () => {
        // The first probe opens the connection and warms fetch up; it is not counted.
        await (await fetch(workerData + '/health/alive')).arrayBuffer();
        parentPort.postMessage('started');
        while (running) {
          const t = performance.now();
          await (await fetch(workerData + '/health/alive')).arrayBuffer();
          worst = Math.max(worst, performance.now() - t);
        }
        parentPort.postMessage(worst);
      })().catch((err) => parentPort.postMessage('probe failed: ' + err + ' ' + err.cause));`,
      { eval: true, workerData: baseUrl },
    );
    this.started = new Promise((resolve) => this.worker.once('message', () => resolve()));
  }

  async stop(): Promise<number> {
    const answer = new Promise<unknown>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('stop');
    const worst = await answer;
    await this.worker.terminate();
    if (typeof worst !== 'number') throw new Error(String(worst));
    return worst;
  }
}

async function main(): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'bench-hostile-'));
  const database = await createTestDatabase('mysql');
  const settings = await serviceSettings(database.url, {
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    // The figures are about work per request, not about the attempt limits this script would hit.
    LOGIN_THROTTLE_PER_IDENTIFIER: '100000',
    LOGIN_THROTTLE_PER_ADDRESS: '100000',
  });
  const service = runService(cwd, settings.env);
  const base = { public: settings.publicUrl, admin: settings.adminUrl };
  try {
    for (let i = 0; ; i++) {
      if (
        await fetch(`${base.admin}/health/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 400) throw new Error(`service did not start:\n${service.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = (await (
      await fetch(`${base.admin}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ schema_id: 'default', traits: { email: 'patched@example.com' }, metadata_public: {} }),
      })
    ).json()) as { id: string };

    let baseline = 0;
    for (const c of CASES) {
      const stalls: number[] = [];
      const times: number[] = [];
      const statuses = new Set<number>();
      // Round 0 warms the code path up (V8 compiles it) and is not counted.
      for (let round = 0; round <= ROUNDS; round++) {
        let path = typeof c.path === 'string' ? c.path.replace('IDENTITY', created.id) : '';
        if (c.flow) {
          const flow = (await (await fetch(`${base.public}/self-service/${c.flow}/api`)).json()) as { id: string };
          path = (c.path as (id: string) => string)(flow.id);
        }
        const body = c.body?.();
        // The probe asks the other port than the request, so it measures the shared event loop, not one socket.
        const probe = new Prober(c.port === 'public' ? base.admin : base.public);
        await probe.started;
        await new Promise((r) => setTimeout(r, 20));
        const started = performance.now();
        const res = await fetch(`${base[c.port]}${path}`, { method: c.method, headers: body ? { 'content-type': 'application/json' } : {}, body }).catch(
          (err: unknown) => {
            throw new Error(`${c.name}: ${String(err)} ${String((err as Error).cause)}`);
          },
        );
        await res.arrayBuffer();
        const took = performance.now() - started;
        const worst = await probe.stop();
        if (round === 0) continue;
        times.push(took);
        statuses.add(res.status);
        stalls.push(worst);
      }
      const worst = Math.max(...stalls);
      if (!baseline) baseline = worst;
      const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
      console.log(
        `${c.name.padEnd(68)} status ${[...statuses].join('/')}  request median ${median.toFixed(0).padStart(5)} ms  worst probe ${worst.toFixed(1).padStart(6)} ms = ${(worst / baseline).toFixed(1).padStart(5)}× baseline`,
      );
    }
  } catch (err) {
    console.error(`service (exit code ${service.child.exitCode}, signal ${service.child.signalCode}) output:\n${service.output().slice(-5000)}`);
    throw err;
  } finally {
    await service.kill('SIGTERM');
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
