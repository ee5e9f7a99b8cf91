import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A private Sentinel set on loopback: a master, two replicas and three sentinels (quorum 2) watching "mymaster". A
 * test can kill the master; the sentinels promote a replica after about a second and repoint the other one.
 */
export class DisposableRedisSentinel {
  readonly masterName = 'mymaster';
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(
    readonly dataPorts: number[],
    readonly sentinelPorts: number[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<DisposableRedisSentinel> {
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push(await freePort());
    const set = new DisposableRedisSentinel(ports.slice(0, 3), ports.slice(3), mkdtempSync(join(tmpdir(), 'redis-sentinel-')));
    const [master, ...replicas] = set.dataPorts;
    set.spawnData(master);
    for (const port of replicas) set.spawnData(port, master);
    await set.waitFor(() => replicas.every((p) => /master_link_status:up/.test(set.cli(p, 'info', 'replication'))), 'the replicas to sync');
    for (const port of set.sentinelPorts) {
      const file = join(set.dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${set.masterName} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${set.masterName} 1000`,
          `sentinel failover-timeout ${set.masterName} 5000`,
          `sentinel parallel-syncs ${set.masterName} 1`,
          '',
        ].join('\n'),
      );
      set.processes.set(port, spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' }));
    }
    await set.waitFor(
      () => set.sentinelPorts.every((p) => /num-other-sentinels[\s\S]*?\n2\n/.test(set.cli(p, 'sentinel', 'master', set.masterName))),
      'the sentinels to see each other',
    );
    return set;
  }

  /** REDIS_SENTINELS for the service. */
  get sentinelList(): string {
    return this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** The port of the master as the sentinels name it now. */
  masterPort(): number {
    for (const port of this.sentinelPorts) {
      try {
        return Number(this.cli(port, 'sentinel', 'get-master-addr-by-name', this.masterName).trim().split('\n')[1]);
      } catch {
        // try the next sentinel
      }
    }
    throw new Error('no sentinel answered');
  }

  kill(port: number): void {
    this.processes.get(port)?.kill('SIGKILL');
    this.processes.delete(port);
  }

  async waitForFailover(oldMaster: number): Promise<void> {
    await this.waitFor(() => {
      const now = this.masterPort();
      return now !== oldMaster && /role:master/.test(this.cli(now, 'info', 'replication'));
    }, 'the failover');
  }

  stop(): void {
    for (const port of [...this.processes.keys()]) this.kill(port);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnData(port: number, masterPort?: number): void {
    const replica = masterPort ? ['--replicaof', '127.0.0.1', String(masterPort)] : [];
    this.processes.set(
      port,
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--dbfilename', `dump-${port}.rdb`, ...replica],
        { stdio: 'ignore' },
      ),
    );
  }

  private cli(port: number, ...args: string[]): string {
    return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', stdio: 'pipe' });
  }

  private async waitFor(ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (ok()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`redis sentinel: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
