import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { runService, serviceSettings, ServiceProcess } from './support/service-process';
import { DisposableMariaDb } from './support/mariadb-server';
import { DisposableRedis } from './support/redis-server';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, TestDatabase } from './support/test-database';

const BCRYPT = '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq';

/**
 * The process's life as Kubernetes sees it, on spawned service processes and the real MariaDB behind a TCP proxy that
 * can refuse (the server is down) or hold (the server is frozen) every connection.
 */
describe('lifecycle (separate service processes)', () => {
  let cwd: string;
  let database: TestDatabase;
  let proxy: TcpProxy;
  const services: ServiceProcess[] = [];

  beforeEach(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-lifecycle-'));
    database = await createTestDatabase('mysql');
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.kill('SIGKILL');
    await proxy.down();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<{ service: ServiceProcess; publicUrl: string; adminUrl: string }> {
    if (!proxy.port) proxy.port = await freePort();
    const url = new URL(database.url);
    url.port = String(proxy.port);
    const settings = await serviceSettings(url.toString(), { NODE_ENV: 'test', LOG_LEVEL: 'info', ...env });
    const service = runService(cwd, settings.env);
    services.push(service);
    return { service, publicUrl: settings.publicUrl, adminUrl: settings.adminUrl };
  }

  async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await Promise.resolve()
        .then(probe)
        .catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const status = (url: string, init?: RequestInit) => fetch(url, init).then(async (r) => ({ status: r.status, body: await r.text(), headers: r.headers }));
  const createIdentity = (adminUrl: string, email = `${randomUUID()}@example.com`) =>
    status(`${adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email } }),
    });

  /** Every line the process wrote to standard output and error is a JSON object. */
  function expectJsonLines(output: string): void {
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  }

  it('waits for a database that is not there yet: alive, not ready, one JSON line per try, then serves', async () => {
    const { service, publicUrl, adminUrl } = await start();
    await until('the listeners', async () => ((await status(`${publicUrl}/health/alive`)).status === 200 ? true : undefined));
    const ready = await status(`${adminUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ error: { code: 503 } });
    expect((await status(`${adminUrl}/admin/identities`)).status).toBe(503);
    await until('two tries', () => ((service.output().match(/database not reachable yet/g) ?? []).length >= 2 ? true : undefined));

    await proxy.up();
    await until('readiness', async () => ((await status(`${adminUrl}/health/ready`)).status === 200 ? true : undefined));
    expect((await createIdentity(adminUrl)).status).toBe(201);
    expect(service.child.exitCode).toBeNull();
    expectJsonLines(service.output());
    expect(service.output()).not.toMatch(/Mapped \{/); // route mapping is debug detail
  });

  it('gives its memory back once it has been quiet for IDLE_MEMORY_TRIM_AFTER, once per quiet spell', async () => {
    await proxy.up();
    const { service, adminUrl } = await start({ IDLE_MEMORY_TRIM_AFTER: '2s', LOG_LEVEL: 'debug' });
    await until('readiness', async () => ((await status(`${adminUrl}/health/ready`)).status === 200 ? true : undefined));
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.child.pid}/status`, 'utf8'))?.[1]) * 1024;
    // A burst of creates grows the heap; then nothing.
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 20 }, () => createIdentity(adminUrl)));
    const busy = rss();
    const trims = () => service.output().match(/quiet: memory returned to the OS/g) ?? [];
    await until('the trim', () => (trims().length > 0 ? true : undefined), 20_000);
    const line = JSON.parse(
      service
        .output()
        .split('\n')
        .find((l) => l.includes('quiet: memory returned'))!,
    ) as { freedMiB: number; pauseMs: number };
    expect(line.freedMiB).toBeGreaterThan(10);
    expect(rss()).toBeLessThan(busy - 10 * 1024 * 1024);
    // Still quiet: no second trim.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(trims()).toHaveLength(1);
    expect((await createIdentity(adminUrl)).status).toBe(201);
  });

  it('gives up on a database that never comes after DATABASE_CONNECT_MAX_WAIT, with one clear line', async () => {
    const { service } = await start({ DATABASE_CONNECT_MAX_WAIT: '2s' });
    expect(await service.exited).toBe(1);
    expect(service.output()).toMatch(/cannot start: the database did not answer within 2 s/);
    expectJsonLines(service.output());
  });

  it('stops at once when told to while it waits for the database', async () => {
    const { service, publicUrl } = await start();
    await until('the listeners', async () => ((await status(`${publicUrl}/health/alive`)).status === 200 ? true : undefined));
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('answers 503 while the database is down, logs it once per interval, and recovers without a restart', async () => {
    await proxy.up();
    const { service, adminUrl, publicUrl } = await start();
    await until('readiness', async () => ((await status(`${adminUrl}/health/ready`)).status === 200 ? true : undefined));
    await proxy.down();
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await createIdentity(adminUrl));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 503, status: 'Service Unavailable' } });
    }
    expect((await status(`${adminUrl}/health/ready`)).status).toBe(503);
    expect((await status(`${publicUrl}/health/ready`)).status).toBe(503);
    expect((await status(`${publicUrl}/health/alive`)).status).toBe(200);
    const output = service.output();
    expect((output.match(/database unavailable/g) ?? []).length).toBeLessThanOrEqual(2);
    expect(output).not.toMatch(/"stack"|\n\s+at /);
    expectJsonLines(output);

    await proxy.up();
    await until('a write after the outage', async () => ((await createIdentity(adminUrl)).status === 201 ? true : undefined));
    expect((await status(`${adminUrl}/health/ready`)).status).toBe(200);
  });

  it('bounds every wait when the database freezes: requests 503 and probes answer, within the configured timeouts', async () => {
    await proxy.up();
    const { adminUrl, publicUrl } = await start({
      DATABASE_QUERY_TIMEOUT: '2s',
      DATABASE_CONNECT_TIMEOUT: '1s',
      DATABASE_ACQUIRE_TIMEOUT: '3s',
      DATABASE_POOL_SIZE: '4',
    });
    await until('readiness', async () => ((await status(`${adminUrl}/health/ready`)).status === 200 ? true : undefined));
    proxy.freeze();
    const timed = async (work: () => Promise<{ status: number }>) => {
      const started = Date.now();
      const answer = await work();
      return { status: answer.status, ms: Date.now() - started };
    };
    // More requests than the pool has connections (DATABASE_POOL_SIZE=4): those waiting for one are bounded too.
    const [write, read, ready, alive, ...crowd] = await Promise.all([
      timed(() => createIdentity(adminUrl)),
      timed(() => status(`${adminUrl}/admin/identities`)),
      timed(() => status(`${adminUrl}/health/ready`)),
      timed(() => status(`${publicUrl}/health/alive`)),
      ...Array.from({ length: 12 }, () => timed(() => status(`${adminUrl}/admin/identities/${randomUUID()}`))),
    ]);
    for (const answer of crowd) expect(answer.status).toBe(503);
    expect(Math.max(...crowd.map((a) => a.ms))).toBeLessThan(9_000);
    expect(alive).toMatchObject({ status: 200 });
    expect(alive.ms).toBeLessThan(500);
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(3_000);
    for (const answer of [write, read]) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(6_000);
    }
    await proxy.up();
    await until('a write after the freeze', async () => ((await createIdentity(adminUrl)).status === 201 ? true : undefined));
  });

  it('answers a write whose transaction cannot start on a frozen server, and the next one too (no command queued behind a timed-out one)', async () => {
    await proxy.up();
    // One pooled connection, no relay: every write takes the connection that was idle when the server froze.
    const { adminUrl } = await start({
      DATABASE_QUERY_TIMEOUT: '1s',
      DATABASE_CONNECT_TIMEOUT: '1s',
      DATABASE_ACQUIRE_TIMEOUT: '2s',
      DATABASE_POOL_SIZE: '1',
      EVENTS_RELAY_ENABLED: 'false',
    });
    await until('readiness', async () => ((await status(`${adminUrl}/health/ready`)).status === 200 ? true : undefined));
    expect((await createIdentity(adminUrl)).status).toBe(201);
    proxy.freeze();
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const answer = await status(`${adminUrl}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ schema_id: 'default', traits: { email: `${randomUUID()}@example.com` } }),
        signal: AbortSignal.timeout(15_000),
      });
      expect(answer.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    await proxy.up();
    await until('a write after the freeze', async () => ((await createIdentity(adminUrl)).status === 201 ? true : undefined));
  });

  it('stops gracefully under keep-alive and one-shot load: not ready at once, no failed request, exit 0 in bounded time', async () => {
    await proxy.up();
    const { service, adminUrl, publicUrl } = await start({ SHUTDOWN_DRAIN_DELAY: '1500ms', SHUTDOWN_TIMEOUT: '5s' });
    await until('readiness', async () => ((await status(`${adminUrl}/health/ready`)).status === 200 ? true : undefined));

    // Clients as behind a Kubernetes Service: they send until the endpoints drop the pod, which happens within the
    // drain delay after readiness failed (here: when the watcher saw 503, plus half the delay).
    let sending = true;
    const failures: string[] = [];
    let served = 0;
    const keepAlive = async () => {
      while (sending) {
        const answer = await status(`${publicUrl}/health/alive`).catch((err: Error) => ({ status: 0, body: String((err.cause as Error | undefined) ?? err) }));
        if (answer.status === 200) served++;
        else failures.push(`keep-alive: ${answer.status} ${answer.body}`);
      }
    };
    const oneShot = async () => {
      while (sending) {
        const answer = await new Promise<number>((resolve) => {
          const req = httpRequest(`${adminUrl}/admin/identities?page_size=1`, { agent: false, headers: { connection: 'close' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', () => resolve(0));
          req.end();
        });
        if (answer === 200) served++;
        else failures.push(`one-shot: ${answer}`);
      }
    };
    const load = [keepAlive(), keepAlive(), oneShot(), oneShot()];
    await new Promise((r) => setTimeout(r, 500));

    const signalled = Date.now();
    service.child.kill('SIGTERM');
    await until('readiness to fail', async () => ((await status(`${adminUrl}/health/ready`)).status === 503 ? true : undefined), 2_000);
    const notReadyAfter = Date.now() - signalled;
    await new Promise((r) => setTimeout(r, 750));
    sending = false;
    await Promise.all(load);
    // A request that is still running when the listeners close (1.5 s after the signal) is answered in full. It is
    // sent 0.2 s before and must outlast them: a full batch, with some plaintext passwords to hash, takes well over that
    // (500 pre-hashed ones once did, until batches got faster).
    await new Promise((r) => setTimeout(r, Math.max(0, 1_300 - (Date.now() - signalled))));
    const identities = Array.from({ length: 1000 }, (_, i) => ({
      create: {
        schema_id: 'default',
        traits: { email: `in-flight-${i}@example.com` },
        credentials: { password: { config: i < 20 ? { password: `in-flight-password-${i}` } : { hashed_password: BCRYPT } } },
      },
    }));
    const inFlight = await status(`${adminUrl}/admin/identities`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identities }),
    });
    expect(inFlight.status).toBe(200);
    expect(Date.now() - signalled).toBeGreaterThan(1_500);

    expect(await service.exited).toBe(0);
    const stoppedAfter = Date.now() - signalled;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    expect(notReadyAfter).toBeLessThan(500);
    expect(stoppedAfter).toBeLessThan(1_500 + 5_000);
    expectJsonLines(service.output());
  });
});

/** The same outages on a real server process of its own: frozen with SIGSTOP, killed with SIGKILL, started again. */
describe('lifecycle on a private mariadbd that is frozen and killed', () => {
  let cwd: string;
  let mariadb: DisposableMariaDb;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-lifecycle-'));
    mariadb = await DisposableMariaDb.start();
    await mariadb.createDatabase('kratos');
  }, 60_000);
  afterAll(async () => {
    await service?.kill('SIGKILL');
    await mariadb.destroy();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('answers 503 within the bounds while the server is frozen or dead, and recovers when it is back', async () => {
    const settings = await serviceSettings(mariadb.url('kratos'), {
      DATABASE_QUERY_TIMEOUT: '2s',
      DATABASE_CONNECT_TIMEOUT: '1s',
      DATABASE_ACQUIRE_TIMEOUT: '3s',
      LOG_LEVEL: 'info',
    });
    service = runService(cwd, settings.env);
    // Every wait of the service is bounded; these bounds only turn a hang into a clear failure that says where.
    let phase = 'start';
    const bounded = async (what: string, url: string, init?: RequestInit) => {
      try {
        return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      } catch (err) {
        throw new Error(`${what} during "${phase}": ${String(err)}\n${service?.output().slice(-4000)}`, { cause: err });
      }
    };
    const ready = async () => (await bounded('readiness', `${settings.adminUrl}/health/ready`)).status;
    const write = async () => {
      const started = Date.now();
      const res = await bounded('a write', `${settings.adminUrl}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ schema_id: 'default', traits: { email: `${randomUUID()}@example.com` } }),
      });
      return { status: res.status, ms: Date.now() - started, body: await res.text() };
    };
    const eventually = async (what: string, ok: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await ok().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await eventually('readiness', async () => (await ready()) === 200);
    phase = 'first write';
    expect((await write()).status).toBe(201);

    phase = 'frozen';
    mariadb.freeze();
    const frozen = await Promise.all([write(), write(), write()]);
    for (const answer of frozen) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 503 } });
      expect(answer.ms).toBeLessThan(7_000);
    }
    const probeStarted = Date.now();
    expect(await ready()).toBe(503);
    expect(Date.now() - probeStarted).toBeLessThan(3_000);
    phase = 'thawed';
    mariadb.thaw();
    await eventually('a write after the thaw', async () => (await write()).status === 201);

    phase = 'killed';
    await mariadb.kill();
    expect((await write()).status).toBe(503);
    expect(await ready()).toBe(503);
    phase = 'restarted';
    await mariadb.start();
    await eventually('a write after the restart', async () => (await write()).status === 201);
    expect(await ready()).toBe(200);
    expect(service.child.exitCode).toBeNull();
    expect(service.output()).not.toMatch(/"stack"/);
    // A killed InnoDB recovers at start, slowly when the machine is busy with other suites.
  }, 180_000);
});

/** Redis carries events and attempt limits, never a request's answer: frozen, it slows nothing beyond its bounds. */
describe('lifecycle with a frozen Redis', () => {
  let cwd: string;
  let database: TestDatabase;
  let redis: DisposableRedis;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-lifecycle-'));
    database = await createTestDatabase('mysql');
    redis = await DisposableRedis.start();
  });
  afterAll(async () => {
    await service?.kill('SIGKILL');
    await redis.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('keeps answering writes, logins and probes, and still stops with exit 0 in bounded time', async () => {
    const settings = await serviceSettings(database.url, { REDIS_URL: redis.url, LOG_LEVEL: 'info' });
    service = runService(cwd, settings.env);
    await service.waitForOutput(/public API on/);
    const timed = async (url: string, init?: RequestInit) => {
      const started = Date.now();
      const res = await fetch(url, init);
      await res.text();
      return { status: res.status, ms: Date.now() - started };
    };
    const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    redis.freeze();
    const created = await timed(`${settings.adminUrl}/admin/identities`, json({ schema_id: 'default', traits: { email: `${randomUUID()}@example.com` } }));
    expect(created).toMatchObject({ status: 201 });
    const flow = (await (await fetch(`${settings.publicUrl}/self-service/login/api`)).json()) as { id: string };
    const login = await timed(
      `${settings.publicUrl}/self-service/login?flow=${flow.id}`,
      json({ method: 'password', identifier: 'nobody@example.com', password: 'wrong-password-1' }),
    );
    expect(login.status).toBe(400);
    expect(login.ms).toBeLessThan(2_000);
    const ready = await timed(`${settings.adminUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.ms).toBeLessThan(2_500);

    const stopping = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    // The relay's drain is bounded (10 s) even when Redis answers nothing.
    expect(Date.now() - stopping).toBeLessThan(20_000);
    redis.thaw();
  }, 60_000);
});
