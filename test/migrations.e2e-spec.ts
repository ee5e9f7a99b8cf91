import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { MYSQL_MIGRATIONS } from '../src/database/migrations/mysql';
import { migrationLockName } from '../src/database/run-migrations';
import { runService, serviceSettings, ServiceProcess } from './support/service-process';
import { createTestDatabase, queryDatabase, TEST_MYSQL_URL, TestDatabase } from './support/test-database';

const ROOT = join(__dirname, '..');
const ALL = MYSQL_MIGRATIONS.map((m) => m.name);

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `src/cli.ts` as its own process (through ts-node, as runService runs main.ts), with only the given environment. */
function runCli(cwd: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/cli.ts'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split('\n').filter(Boolean);

async function migrationRows(url: string): Promise<string[]> {
  return (await queryDatabase<{ name: string }>(url, 'SELECT name FROM migrations ORDER BY id')).map((r) => r.name);
}

const databaseName = (database: TestDatabase) => new URL(database.url).pathname.slice(1);
/** How the CLI names a database: driver, host and database, no credentials. */
const location = (database: TestDatabase) => {
  const url = new URL(database.url);
  return `${url.protocol.slice(0, -1)} ${url.host}${url.pathname}`;
};

/**
 * Holds `database`'s migration lock from the test while `start` spawns processes, until `count` of them wait for it
 * (seen in the server's process list), then lets them all go at once. Processes spawned together still reach the
 * database seconds apart (start-up times differ), and migrating an empty database takes well under a second: without
 * this they would seldom meet. `running` throws if one of them has already exited.
 */
async function releaseTogether<T>(database: TestDatabase, count: number, start: () => T, running: (started: T) => void): Promise<T> {
  const holder = await createConnection(TEST_MYSQL_URL);
  try {
    const name = migrationLockName(databaseName(database));
    const [taken] = await holder.query('SELECT GET_LOCK(?, 0) AS acquired', [name]);
    expect(taken).toEqual([{ acquired: 1 }]);
    const started = start();
    const deadline = Date.now() + 90_000;
    for (;;) {
      running(started);
      const [rows] = await holder.query(
        `SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE CONCAT('%GET_LOCK(%', ?, '%')`,
        [name],
      );
      if (Number((rows as Array<{ waiting: number }>)[0].waiting) >= count) break;
      if (Date.now() > deadline) throw new Error(`fewer than ${count} processes came to wait for the migration lock`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await holder.query('SELECT RELEASE_LOCK(?)', [name]);
    return started;
  } finally {
    await holder.end();
  }
}

/** Migrations on real processes and a real MariaDB: replicas starting at once, and the operator command. */
describe('migrations (separate processes)', () => {
  let cwd: string;
  const databases: TestDatabase[] = [];
  const services: ServiceProcess[] = [];

  async function freshDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase('mysql');
    databases.push(database);
    return database;
  }

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'kratos-migrations-'));
  });
  afterAll(async () => {
    for (const s of services.splice(0)) await s.kill('SIGKILL');
    for (const d of databases.splice(0)) await d.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('three replicas started at the same moment on an empty database all become ready; each migration ran once', async () => {
    const database = await freshDatabase();
    const run = randomUUID().slice(0, 8);
    const adminPorts: number[] = [];
    const envs: Record<string, string>[] = [];
    for (let i = 0; i < 3; i++) {
      const settings = await serviceSettings(database.url, { EVENTS_QUEUE: `migrations-${run}`, REDIS_KEY_PREFIX: `migrations-${run}` });
      adminPorts.push(Number(settings.env.ADMIN_PORT));
      envs.push(settings.env);
    }
    // All three spawned in the same tick, and let into the empty database at the same moment.
    const replicas = await releaseTogether(
      database,
      3,
      () => {
        const started = envs.map((env) => runService(cwd, env));
        services.push(...started);
        return started;
      },
      (started) => {
        for (const [i, r] of started.entries()) {
          if (r.child.exitCode !== null) throw new Error(`replica ${i} exited with ${r.child.exitCode}:\n${r.output()}`);
        }
      },
    );

    const deadline = Date.now() + 100_000;
    const ready = new Set<number>();
    while (ready.size < replicas.length) {
      for (const [i, replica] of replicas.entries()) {
        if (replica.child.exitCode !== null) throw new Error(`replica ${i} exited with ${replica.child.exitCode}:\n${replica.output()}`);
        if (ready.has(i)) continue;
        const res = await fetch(`http://127.0.0.1:${adminPorts[i]}/health/ready`).catch(() => undefined);
        if (res?.status === 200) ready.add(i);
      }
      if (Date.now() > deadline) throw new Error(`not ready after 100 s: ${replicas.map((r, i) => `replica ${i}:\n${r.output()}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    for (const replica of replicas) expect(replica.child.exitCode).toBeNull();
    expect(await migrationRows(database.url)).toEqual(ALL);
    for (const replica of replicas) expect(replica.output()).not.toMatch(/ER_TABLE_EXISTS_ERROR|already exists/);
  }, 120_000);

  it('migrate status lists every migration as pending (exit 3), migrate up applies them, then status lists them applied (exit 0)', async () => {
    const database = await freshDatabase();
    const env = { DATABASE_URL: database.url };

    const before = await runCli(cwd, ['migrate', 'status'], env);
    expect(before.code).toBe(3);
    const beforeLines = lines(before.stdout);
    expect(beforeLines.slice(0, -1)).toEqual(MYSQL_MIGRATIONS.map((m) => `pending ${m.name.slice(-13)} ${m.name}`));
    expect(beforeLines.at(-1)).toBe(`${location(database)}: 0 applied, ${ALL.length} pending`);
    expect(before.stdout + before.stderr).not.toContain('kratos_test:kratos_test'); // no password in the output
    // status is read-only: it does not even create the migrations table.
    expect(await queryDatabase(database.url, `SHOW TABLES LIKE 'migrations'`)).toEqual([]);

    const up = await runCli(cwd, ['migrate', 'up'], env);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
    const upLines = lines(up.stdout);
    expect(upLines.slice(0, -1)).toEqual(MYSQL_MIGRATIONS.map((m) => `applied ${m.name.slice(-13)} ${m.name}`));
    expect(upLines.at(-1)).toBe(`${ALL.length} migrations applied to ${location(database)}`);

    const after = await runCli(cwd, ['migrate', 'status'], env);
    expect(after.code).toBe(0);
    expect(lines(after.stdout).slice(0, -1)).toEqual(MYSQL_MIGRATIONS.map((m) => `applied ${m.name.slice(-13)} ${m.name}`));
    expect(lines(after.stdout).at(-1)).toBe(`${location(database)}: ${ALL.length} applied, 0 pending`);

    const again = await runCli(cwd, ['migrate', 'up'], env);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([`no pending migrations on ${location(database)}`]);
    expect(await migrationRows(database.url)).toEqual(ALL);
  }, 60_000);

  it('two migrate up at once on an empty database: both exit 0, and the migrations are applied once, by one of them', async () => {
    const database = await freshDatabase();
    const env = { DATABASE_URL: database.url };
    const exited: boolean[] = [];
    const runs = await releaseTogether(
      database,
      2,
      () => [0, 1].map((i) => runCli(cwd, ['migrate', 'up'], env).finally(() => (exited[i] = true))),
      () => expect(exited).toEqual([]),
    );
    const results = await Promise.all(runs);
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stderr.trimEnd()).toBe(
        `waiting up to 300 s for the migration lock "${migrationLockName(databaseName(database))}": another process is migrating this database`,
      );
    }
    const applied = results.flatMap((r) => lines(r.stdout).filter((l) => l.startsWith('applied ')));
    expect(applied).toEqual(MYSQL_MIGRATIONS.map((m) => `applied ${m.name.slice(-13)} ${m.name}`));
    expect(results.filter((r) => /^no pending migrations/m.test(r.stdout))).toHaveLength(1);
    expect(await migrationRows(database.url)).toEqual(ALL);
  }, 60_000);

  it('waits for the lock for --lock-timeout seconds, then fails clearly; another database on the server is not held up', async () => {
    const [held, other] = [await freshDatabase(), await freshDatabase()];
    const holder = await createConnection(TEST_MYSQL_URL);
    try {
      const name = migrationLockName(databaseName(held));
      const [rows] = await holder.query('SELECT GET_LOCK(?, 0) AS acquired', [name]);
      expect(rows).toEqual([{ acquired: 1 }]);

      const blocked = await runCli(cwd, ['migrate', 'up', '--lock-timeout', '1'], { DATABASE_URL: held.url });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toContain(`waiting up to 1 s for the migration lock "${name}"`);
      expect(blocked.stderr).toMatch(/error: another process held the migration lock .* for more than 1 s/);
      expect(await queryDatabase(held.url, `SHOW TABLES LIKE 'migrations'`)).toEqual([]);

      const free = await runCli(cwd, ['migrate', 'up', '--lock-timeout', '1'], { DATABASE_URL: other.url });
      expect(free.code).toBe(0);
      expect(await migrationRows(other.url)).toEqual(ALL);
    } finally {
      await holder.end();
    }
  }, 60_000);

  it('with DATABASE_AUTO_MIGRATE=false a replica on an empty database exits 78 and names the migration command; it writes nothing', async () => {
    const database = await freshDatabase();
    const service = runService(cwd, (await serviceSettings(database.url, { DATABASE_AUTO_MIGRATE: 'false' })).env);
    services.push(service);
    expect(await service.exited).toBe(78);
    // The message may sit in a JSON log line, its quotes escaped.
    expect(service.output()).toMatch(/configuration error: .*pending migrations.*run \\?"node dist\/cli\.js migrate up\\?" first/);
    expect(await queryDatabase(database.url, `SHOW TABLES LIKE 'migrations'`)).toEqual([]);
    // The boot error, the README and the image name the same command.
    for (const file of ['README.md', 'Dockerfile']) expect(readFileSync(join(ROOT, file), 'utf8')).toContain('node dist/cli.js migrate up');
  }, 60_000);

  it('--help exits 0; a bad command line exits 64; a configuration error exits 78 and names the setting', async () => {
    const help = await runCli(cwd, ['migrate', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/up \[options\]/);
    expect(help.stdout).toMatch(/status/);

    const unknown = await runCli(cwd, ['migrate', 'sideways'], {});
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown command 'sideways'/);

    const config = await runCli(cwd, ['migrate', 'status'], { DATABASE_URL: 'postgres://nope' });
    expect(config.code).toBe(78);
    expect(config.stderr).toMatch(/^configuration error: DATABASE_URL/);
  }, 60_000);
});
