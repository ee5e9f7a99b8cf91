import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from './free-port';
import { initMariaDbDataDir, mariadbdArgs } from './mariadb-server';

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** Whether this machine can run a local Galera cluster (Debian: apt-get install galera-4 rsync). */
export function galeraAvailable(): boolean {
  return existsSync(GALERA_PROVIDER) && existsSync('/usr/sbin/mariadbd') && existsSync('/usr/bin/rsync');
}

interface GaleraNode {
  name: string;
  dataDir: string;
  port: number;
  galeraPort: number;
  istPort: number;
  sstPort: number;
  process?: ChildProcess;
  log: string;
}

/**
 * A private multi-primary MariaDB Galera cluster on loopback ports: `size` mariadbd processes with data directories
 * of their own under one temporary directory. The first bootstraps the cluster (--wsrep-new-cluster); the others join
 * it and receive its state by rsync SST. Root has no password on every node. Stop it with `stop()` (by PID).
 */
export class GaleraCluster {
  private constructor(
    private readonly baseDir: string,
    private readonly nodes: GaleraNode[],
    private readonly clusterName: string,
  ) {}

  static async start(size = 3, timeoutMs = 60_000): Promise<GaleraCluster> {
    const baseDir = mkdtempSync(join(tmpdir(), 'galera-'));
    const asRoot = userInfo().uid === 0;
    const nodes: GaleraNode[] = [];
    for (let i = 1; i <= size; i++) {
      const dataDir = join(baseDir, `node${i}`);
      mkdirSync(dataDir);
      nodes.push({
        name: `node${i}`,
        dataDir,
        port: await freePort(),
        galeraPort: await freePort(),
        istPort: await freePort(),
        sstPort: await freePort(),
        log: '',
      });
    }
    // mariadbd will not run as root; SST (rsync) runs as the server's account, which must own every data directory.
    if (asRoot) execFileSync('chown', ['-R', 'mysql:mysql', baseDir]);
    initMariaDbDataDir(nodes[0].dataDir);
    const cluster = new GaleraCluster(baseDir, nodes, `kratos-test-${process.pid}-${Date.now()}`);
    const deadline = Date.now() + timeoutMs;
    try {
      cluster.spawnNode(nodes[0], true);
      await cluster.waitForSynced(nodes[0], deadline);
      // Joiners one after the other: a donor serves one SST at a time.
      for (const node of nodes.slice(1)) {
        cluster.spawnNode(node, false);
        await cluster.waitForSynced(node, deadline);
      }
      await cluster.waitForSize(size, deadline);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get ports(): number[] {
    return this.nodes.map((n) => n.port);
  }

  /** `mysql://root@127.0.0.1:<port of node i>/<database>` */
  url(node: number, database: string): string {
    return `mysql://root@127.0.0.1:${this.nodes[node].port}/${database}`;
  }

  /** Runs statements on one node (DDL replicates to all). */
  async query<T = unknown>(node: number, sql: string, params: unknown[] = []): Promise<T> {
    const connection = await createConnection({
      host: '127.0.0.1',
      port: this.nodes[node].port,
      user: 'root',
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    try {
      const [rows] = await connection.query(sql, params);
      return rows as T;
    } finally {
      await connection.end();
    }
  }

  /** What the nodes wrote to stderr (for a failing test's message). */
  logs(): string {
    return this.nodes.map((n) => `--- ${n.name}\n${n.log.slice(-4000)}`).join('\n');
  }

  /** Stops every node by its PID (SIGTERM, then SIGKILL after 10 s) and removes the data directories. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const proc = node.process;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          proc.kill('SIGTERM');
        });
      }),
    );
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  private spawnNode(node: GaleraNode, bootstrap: boolean): void {
    const addresses = this.nodes.map((n) => `127.0.0.1:${n.galeraPort}`).join(',');
    const providerOptions = [
      `gmcast.listen_addr=tcp://127.0.0.1:${node.galeraPort}`,
      `ist.recv_addr=127.0.0.1:${node.istPort}`,
      'gcache.size=64M',
      // Loopback: detect a lost peer in seconds rather than the WAN-friendly defaults.
      'evs.suspect_timeout=PT5S',
      'evs.inactive_timeout=PT10S',
    ].join(';');
    const args = [
      ...mariadbdArgs(node.dataDir, node.port),
      '--binlog-format=ROW',
      '--default-storage-engine=InnoDB',
      '--innodb-autoinc-lock-mode=2',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      '--wsrep-on=ON',
      `--wsrep-provider=${GALERA_PROVIDER}`,
      `--wsrep-provider-options=${providerOptions}`,
      `--wsrep-cluster-name=${this.clusterName}`,
      `--wsrep-cluster-address=gcomm://${addresses}`,
      `--wsrep-node-name=${node.name}`,
      `--wsrep-node-address=127.0.0.1:${node.galeraPort}`,
      `--wsrep-node-incoming-address=127.0.0.1:${node.port}`,
      '--wsrep-sst-method=rsync',
      `--wsrep-sst-receive-address=127.0.0.1:${node.sstPort}`,
      '--wsrep-slave-threads=2',
      ...(bootstrap ? ['--wsrep-new-cluster'] : []),
    ];
    const proc = spawn('/usr/sbin/mariadbd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr.on('data', (d: Buffer) => {
      node.log = (node.log + d.toString()).slice(-200_000);
    });
    node.process = proc;
  }

  private async waitForSynced(node: GaleraNode, deadline: number): Promise<void> {
    for (;;) {
      if (node.process?.exitCode !== null && node.process?.exitCode !== undefined) {
        throw new Error(`${node.name} exited (${node.process.exitCode}):\n${node.log.slice(-4000)}`);
      }
      try {
        const connection = await createConnection({ host: '127.0.0.1', port: node.port, user: 'root', connectTimeout: 1_000 });
        try {
          const [rows] = await connection.query("SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment')");
          const status = Object.fromEntries((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, r.Value]));
          if (status.wsrep_ready === 'ON' && status.wsrep_local_state_comment === 'Synced') return;
        } finally {
          await connection.end();
        }
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`${node.name} did not reach Synced:\n${node.log.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async waitForSize(size: number, deadline: number): Promise<void> {
    for (;;) {
      const sizes = await Promise.all(
        this.nodes.map(async (_, i) => {
          const rows = await this.query<Array<{ Value: string }>>(i, "SHOW STATUS LIKE 'wsrep_cluster_size'");
          return Number(rows[0]?.Value);
        }),
      );
      if (sizes.every((s) => s === size)) return;
      if (Date.now() > deadline) throw new Error(`wsrep_cluster_size is ${sizes.join('/')}, not ${size}:\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
