import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { runProcess, runService, ServiceProcess } from './support/service-process';

describe('the service process', () => {
  let cwd: string;
  let service: ServiceProcess | undefined;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-boot-'));
  });
  afterEach(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    service = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('starts with no configuration: SQLite under ./data, bundled schema, both ports; stops cleanly on SIGTERM', async () => {
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    service = runService(cwd, { PUBLIC_PORT: String(publicPort), ADMIN_PORT: String(adminPort) });
    await service.waitForOutput(/public API on/);
    expect(existsSync(join(cwd, 'data', 'kratos.sqlite'))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${publicPort}/health/alive`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${adminPort}/health/alive`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${publicPort}/schemas/default`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('starts while Redis is unreachable, says so once, and reports it in readiness', async () => {
    const [publicPort, adminPort, deadRedis] = [await freePort(), await freePort(), await freePort()];
    service = runService(cwd, {
      PUBLIC_PORT: String(publicPort),
      ADMIN_PORT: String(adminPort),
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
    });
    await service.waitForOutput(/public API on/);
    await new Promise((r) => setTimeout(r, 2_500)); // several reconnect attempts
    const ready = await fetch(`http://127.0.0.1:${adminPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', redis: 'down' });
    expect(service.output().match(/Redis unreachable/g)).toHaveLength(1);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('logs each request once as JSON with secrets redacted, and not the health probes', async () => {
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    service = runService(cwd, { PUBLIC_PORT: String(publicPort), ADMIN_PORT: String(adminPort), DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'info' });
    await service.waitForOutput(/public API on/);
    await fetch(`http://127.0.0.1:${publicPort}/health/alive`);
    await fetch(`http://127.0.0.1:${publicPort}/health/ready`);
    await fetch(`http://127.0.0.1:${publicPort}/self-service/recovery?flow=00000000-0000-4000-8000-000000000000&token=secret-token-value`, {
      redirect: 'manual',
    });
    await fetch(`http://127.0.0.1:${adminPort}/admin/identities`, { headers: { 'x-request-id': 'logged-request' } });
    await service.waitForOutput(/logged-request/);
    const completed = service
      .output()
      .split('\n')
      .filter((l) => l.includes('"request completed"'))
      .map((l) => JSON.parse(l) as { req: { id: string; method: string; url: string }; res: { statusCode: number } });
    expect(completed.map((l) => l.req.url)).toEqual(['/self-service/recovery?flow=00000000-0000-4000-8000-000000000000&token=[redacted]', '/admin/identities']);
    expect(completed[1].req.id).toBe('logged-request');
    expect(service.output()).not.toContain('secret-token-value');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('stops at boot on an invalid setting with a message that names it', async () => {
    service = runService(cwd, { PUBLIC_PORT: 'not-a-port' });
    expect(await service.exited).toBe(78);
    expect(service.output()).toMatch(/configuration error: PUBLIC_PORT/);
  });

  it('stops in production on a misspelt setting, naming it and the setting it meant, before creating ./data', async () => {
    service = runService(cwd, {
      NODE_ENV: 'production',
      DATABSE_URL: 'mysql://kratos:pw@127.0.0.1:3306/kratos', // misspelt: without the check, SQLite under ./data
      RECOVERY_SECRET: randomBytes(32).toString('hex'),
    });
    expect(await service.exited).toBe(78);
    expect(service.output()).toMatch(/configuration error: DATABSE_URL is not a setting; did you mean DATABASE_URL\?/);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it("writes one JSON object per line when not on a terminal, Nest's own start-up errors included", async () => {
    // A schema URL that cannot be read fails inside Nest's module start-up, where Nest would print its own text.
    service = runService(cwd, { DATABASE_URL: 'sqlite::memory:', IDENTITY_SCHEMAS: '[{"id":"default","url":"file:///nonexistent/schema.json"}]' });
    expect(await service.exited).toBe(78);
    const lines = service
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(service.output()).not.toMatch(/Mapped \{|InstanceLoader/);
  });

  it('writes readable lines, one per event, on a terminal (npm start)', async () => {
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const root = join(__dirname, '..');
    const command = `${process.execPath} -r ${join(root, 'node_modules/ts-node/register/transpile-only')} ${join(root, 'src/main.ts')}`;
    const env = {
      PATH: process.env.PATH ?? '',
      TS_NODE_PROJECT: join(root, 'tsconfig.json'),
      PUBLIC_PORT: String(publicPort),
      ADMIN_PORT: String(adminPort),
      DATABASE_URL: 'sqlite::memory:',
      SHUTDOWN_DRAIN_DELAY: '0',
    };
    // script(1) gives the service a pseudo-terminal as its standard output, as a person's shell does.
    service = runProcess(cwd, 'script', ['-qec', command, '/dev/null'], env, { group: true });
    await service.waitForOutput(/public API on/);
    const lines = service
      .output()
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    expect(lines.some((l) => /INFO.*public API on http:\/\/127\.0\.0\.1:\d+/.test(l))).toBe(true);
    for (const line of lines) expect(line.trim().startsWith('{')).toBe(false);
    expect(lines.length).toBeLessThan(15);
    await service.kill('SIGTERM');
  });
});
