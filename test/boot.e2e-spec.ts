import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port';

const ROOT = join(__dirname, '..');

interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `src/main.ts` as its own process in `cwd`, with only the given environment (no inherited configuration). */
function runService(cwd: string, env: Record<string, string>): ServiceProcess {
  let output = '';
  const child = spawn(process.execPath, ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(service: ServiceProcess, pattern: RegExp, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(service.output())) {
    if (service.child.exitCode !== null) throw new Error(`service exited early:\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
    await waitForOutput(service, /public API on/);
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
    await waitForOutput(service, /public API on/);
    await new Promise((r) => setTimeout(r, 2_500)); // several reconnect attempts
    const ready = await fetch(`http://127.0.0.1:${adminPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', redis: 'down' });
    expect(service.output().match(/Redis unreachable/g)).toHaveLength(1);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('stops at boot on an invalid setting with a message that names it', async () => {
    service = runService(cwd, { PUBLIC_PORT: 'not-a-port' });
    expect(await service.exited).toBe(78);
    expect(service.output()).toMatch(/configuration error: PUBLIC_PORT/);
  });
});
