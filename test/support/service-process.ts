import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

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
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
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
