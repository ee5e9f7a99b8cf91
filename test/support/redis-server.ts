import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from './free-port';

/** A private redis-server on its own loopback port, which a test can stop and start again. */
export class DisposableRedis {
  private process?: ChildProcess;

  /** With `dataDir`, Redis keeps an append-only file there (fsync on every write), so a kill loses nothing. */
  private constructor(
    readonly port: number,
    private readonly dataDir?: string,
  ) {}

  static async start(options: { persistent?: boolean } = {}): Promise<DisposableRedis> {
    const redis = new DisposableRedis(await freePort(), options.persistent ? mkdtempSync(join(tmpdir(), 'redis-aof-')) : undefined);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.dataDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dataDir] : ['--appendonly', 'no'];
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--maxmemory-policy', 'noeviction'],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new IORedis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        client.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops the server (SIGKILL, so data is gone too, as when a node dies); its port stays reserved for `start()`. */
  async stop(): Promise<void> {
    const proc = this.process;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
    });
  }

  /** SIGSTOP: connections are accepted by the kernel, nothing answers. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }
}
