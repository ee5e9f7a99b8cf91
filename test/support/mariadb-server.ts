import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from './free-port';

/** mariadbd will not run as root; as root, it switches to the mysql account, which must own the data directory. */
function serverUser(): string[] {
  return userInfo().uid === 0 ? ['--user=mysql'] : [];
}

/** An empty MariaDB data directory (system tables, a root account without password), as `mariadb-install-db` makes it. */
export function initMariaDbDataDir(dataDir: string): void {
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, ...serverUser(), '--auth-root-authentication-method=normal', '--skip-test-db'], {
    stdio: 'ignore',
  });
}

/** The arguments every private mariadbd of the tests starts with: its own data, port, socket and pid file, on loopback. */
export function mariadbdArgs(dataDir: string, port: number): string[] {
  return [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dataDir, 'mysqld.sock')}`,
    `--pid-file=${join(dataDir, 'mysqld.pid')}`,
    ...serverUser(),
    '--skip-log-bin',
  ];
}

/**
 * A private mariadbd on its own loopback port and data directory, which a test can freeze (SIGSTOP: the kernel still
 * accepts connections, nothing answers), thaw, kill and start again. Its root account has no password.
 */
export class DisposableMariaDb {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<DisposableMariaDb> {
    const dataDir = mkdtempSync(join(tmpdir(), 'mariadb-'));
    // mariadbd will not run as root; as root, the data directory belongs to the mysql account it switches to.
    const asRoot = userInfo().uid === 0;
    if (asRoot) execFileSync('chown', ['mysql:mysql', dataDir]);
    initMariaDbDataDir(dataDir);
    const server = new DisposableMariaDb(await freePort(), dataDir);
    await server.start();
    return server;
  }

  /** `mysql://root@127.0.0.1:<port>/<database>` */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    this.process = spawn('/usr/sbin/mariadbd', [...mariadbdArgs(this.dataDir, this.port), '--innodb-buffer-pool-size=32M'], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1_000 });
        await connection.end();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`mariadbd on port ${this.port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async createDatabase(name: string): Promise<void> {
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await connection.end();
  }

  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Kills the server (SIGKILL, as when its node dies); `start()` brings it back on the same port and data. */
  async kill(): Promise<void> {
    const proc = this.process;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGCONT');
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
