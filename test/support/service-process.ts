import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from './free-port';
import { TEST_REDIS_URL } from './test-app';

const ROOT = join(__dirname, '..', '..');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Runs `src/main.ts` as its own process in `cwd`, with only the given environment (no inherited configuration). */
export function runService(cwd: string, env: Record<string, string>): ServiceProcess {
  return runProcess(cwd, process.execPath, ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/main.ts')], {
    PATH: process.env.PATH ?? '',
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
    // Stopping a test service need not wait for Kubernetes' endpoints; test/lifecycle sets its own delay.
    SHUTDOWN_DRAIN_DELAY: '0',
    ...env,
  });
}

/**
 * Runs a command with exactly `env`, collecting its output. With `group`, the command leads a process group of its
 * own and `kill` signals the whole group (a command such as `npm start` runs the service as a grandchild); the group
 * is also killed if the test process exits first.
 */
export function runProcess(cwd: string, command: string, args: string[], env: Record<string, string>, options: { group?: boolean } = {}): ServiceProcess {
  let output = '';
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group === true });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (options.group) process.kill(-child.pid!, sig);
      else if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    } catch {
      // already gone
    }
  };
  const killGroupOnExit = () => signal('SIGKILL');
  if (options.group) process.once('exit', killGroupOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killGroupOnExit);
      resolve(code);
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    async waitForOutput(pattern: RegExp, timeoutMs = 40_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`process exited early:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill(sig: NodeJS.Signals) {
      signal(sig);
      return exited;
    },
  };
}

export interface ServiceSettings {
  env: Record<string, string>;
  publicUrl: string;
  adminUrl: string;
}

/**
 * The settings of a service process on two free loopback ports, against `databaseUrl` and the test Redis, with an
 * event queue and Redis key prefix of its own; `env` adds to them or overrides them.
 */
export async function serviceSettings(databaseUrl: string, env: Record<string, string> = {}): Promise<ServiceSettings> {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const run = randomUUID().slice(0, 8);
  return {
    env: {
      PUBLIC_PORT: String(publicPort),
      ADMIN_PORT: String(adminPort),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      EVENTS_QUEUE: `service-${run}`,
      REDIS_KEY_PREFIX: `service-${run}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    publicUrl: `http://127.0.0.1:${publicPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
  };
}
