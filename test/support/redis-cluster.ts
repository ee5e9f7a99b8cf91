import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from './free-port';

/**
 * A private Redis Cluster on loopback: three masters with one replica each (redis-server in cluster mode, joined by
 * `redis-cli --cluster create`). A test can kill a master; its replica takes over after `cluster-node-timeout`.
 */
export class DisposableRedisCluster {
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(
    readonly ports: number[],
    private readonly dir: string,
    /** requirepass and masterauth of every node. */
    readonly password: string | undefined,
  ) {}

  static async start(options: { password?: string } = {}): Promise<DisposableRedisCluster> {
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push(await freePort());
    const cluster = new DisposableRedisCluster(ports, mkdtempSync(join(tmpdir(), 'redis-cluster-')), options.password);
    for (const port of ports) cluster.startNode(port);
    await cluster.waitFor(() => {
      for (const port of ports) if (!/PONG/.test(cluster.cli(port, 'ping'))) return false;
      return true;
    }, 'the nodes');
    execFileSync('redis-cli', [...cluster.auth(), '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
      stdio: 'pipe',
    });
    await cluster.waitFor(() => ports.every((p) => /cluster_state:ok/.test(cluster.cli(p, 'cluster', 'info'))), 'cluster_state:ok');
    // A replica that has not synced with its master yet cannot take over from it.
    await cluster.waitFor(
      () =>
        ports.every((p) => {
          const info = cluster.cli(p, 'info', 'replication');
          return /role:master/.test(info) || /master_link_status:up/.test(info);
        }),
      'the replicas to sync',
    );
    return cluster;
  }

  get nodes(): Array<{ host: string; port: number }> {
    return this.ports.slice(0, 3).map((port) => ({ host: '127.0.0.1', port }));
  }

  /** REDIS_CLUSTER_NODES for the service. */
  get nodeList(): string {
    return this.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  }

  client(): Cluster {
    return new Cluster(this.nodes, {
      redisOptions: { maxRetriesPerRequest: 3, ...(this.password ? { password: this.password } : {}) },
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
    });
  }

  /** The port of the master that serves `key`'s slot now, as node `via` (a live one) sees it. */
  masterOf(key: string, via = this.alivePorts()[0]): number {
    const slot = Number(this.cli(via, 'cluster', 'keyslot', key).trim());
    for (const line of this.cli(via, 'cluster', 'nodes').split('\n')) {
      const fields = line.split(' ');
      if (!fields[2]?.includes('master') || fields[2].includes('fail')) continue;
      for (const range of fields.slice(8)) {
        const [from, to] = range.split('-').map(Number);
        if (slot >= from && slot <= (to ?? from)) return Number(fields[1].split(':')[1].split('@')[0]);
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGKILL of one node, as when its machine dies. */
  kill(port: number): void {
    this.processes.get(port)?.kill('SIGKILL');
    this.processes.delete(port);
  }

  async waitForFailover(deadPort: number, key: string): Promise<void> {
    await this.waitFor(() => {
      const via = this.alivePorts()[0];
      return /cluster_state:ok/.test(this.cli(via, 'cluster', 'info')) && this.masterOf(key, via) !== deadPort;
    }, 'the failover');
  }

  stop(): void {
    for (const port of [...this.processes.keys()]) this.kill(port);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private alivePorts(): number[] {
    return this.ports.filter((p) => this.processes.has(p));
  }

  private startNode(port: number): void {
    const proc = spawn(
      'redis-server',
      [
        ...(this.password ? ['--requirepass', this.password, '--masterauth', this.password] : []),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(this.dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '1500',
        '--appendonly',
        'no',
        '--save',
        '',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.processes.set(port, proc);
  }

  private auth(): string[] {
    return this.password ? ['--no-auth-warning', '-a', this.password] : [];
  }

  private cli(port: number, ...args: string[]): string {
    return execFileSync('redis-cli', [...this.auth(), '-p', String(port), ...args], { encoding: 'utf8', stdio: 'pipe' });
  }

  private async waitFor(ok: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await ok()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`redis cluster: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
