import { createHash } from 'node:crypto';
import { DataSource, Migration, MigrationExecutor, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** How long a process waits for another one's migrations before it gives up (GET_LOCK's timeout). */
export const DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS = 300;

/** GET_LOCK timed out (another process kept migrating) or the server could not take the lock. */
export class MigrationLockError extends Error {}

export interface MigrateOptions {
  /** Seconds to wait for the lock while another process migrates; DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS if absent. */
  lockTimeoutSeconds?: number;
  /** Progress for the operator (waiting for the lock); the caller reports what was applied. */
  log?: (message: string) => void;
}

export type MigrationState = 'applied' | 'pending' | 'unknown';

export interface MigrationStatus {
  /** The 13-digit timestamp at the end of the migration's class name (when it was written, not when it ran). */
  timestamp: number;
  name: string;
  /** `unknown`: recorded in the database but not part of this build (a newer version applied it). */
  state: MigrationState;
}

/**
 * Applies the pending migrations on an initialized DataSource and returns those applied, oldest first. Each migration
 * runs in its own transaction (`migrationsTransactionMode: 'each'`).
 *
 * On MySQL/MariaDB the whole run holds a named lock (GET_LOCK), so that replicas starting at once on an empty
 * database do not all create the same tables: the first one migrates, the others wait for the lock, then find nothing
 * pending and go on. The lock belongs to the session, so one connection is kept for lock → migrate → release (the
 * migrations run on that same connection, which also works with a pool of one). Its name holds the database's name:
 * two databases on one server do not wait for each other. If the process dies, the server drops the lock with the
 * connection.
 *
 * On SQLite there is no lock: the database is a local file opened by a single service process (SQLite is for a single
 * instance; replicas need MySQL/MariaDB), and that process's one connection runs the migrations one after the other.
 * Running `migrate up` against the file of a service that is starting at the same moment is not supported.
 */
export async function migrateUnderLock(dataSource: DataSource, options: MigrateOptions = {}): Promise<Migration[]> {
  return withMigrationLock(dataSource, options, (queryRunner) => {
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'each';
    return executor.executePendingMigrations();
  });
}

/**
 * Every migration this build knows, oldest first, with whether the database has it, then those the database has
 * and this build does not. Read-only: an empty database (no migrations table) has every migration pending.
 */
export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus[]> {
  const executor = new StatusReader(dataSource);
  const executed = await executor.getExecutedMigrations();
  const executedNames = new Set(executed.map((m) => m.name));
  const all = executor.allMigrations();
  const known = new Set(all.map((m) => m.name));
  return [
    ...all.map((m) => ({ timestamp: m.timestamp, name: m.name, state: executedNames.has(m.name) ? ('applied' as const) : ('pending' as const) })),
    ...executed
      .filter((m) => !known.has(m.name))
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((m) => ({ timestamp: m.timestamp, name: m.name, state: 'unknown' as const })),
  ];
}

/** The pending migrations' names, oldest first; read-only (unlike TypeORM's showMigrations, which creates the table). */
export async function pendingMigrationNames(dataSource: DataSource): Promise<string[]> {
  return (await new MigrationExecutor(dataSource).getPendingMigrations()).map((m) => m.name);
}

/**
 * Boot-time migration of the service's store (DATABASE_AUTO_MIGRATE=true). On MySQL/MariaDB on a DataSource of its
 * own, without the service's per-query timeout: the wait for the lock and a long migration may outlast it (the pool
 * opens connections on demand, so this is one connection, closed before the service serves). On SQLite on the
 * service's own DataSource: an in-memory database exists only on that connection.
 */
export async function migrateAtBoot(serviceDataSource: DataSource, database: AppConfig['database'], options: MigrateOptions = {}): Promise<Migration[]> {
  if (database.type === 'sqlite') return migrateUnderLock(serviceDataSource, options);
  return withMigrationDataSource(database, (dataSource) => migrateUnderLock(dataSource, options));
}

/** Opens a DataSource for migrations (no query timeout) on the configured store for the length of `use`. */
export async function withMigrationDataSource<T>(database: AppConfig['database'], use: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = new DataSource({ ...dataSourceOptions(database, 'migrations'), migrationsTransactionMode: 'each' });
  await dataSource.initialize();
  try {
    return await use(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Applies pending migrations to the configured store, under the lock; returns the names of those applied. */
export async function runPendingMigrations(database: AppConfig['database'], options: MigrateOptions = {}): Promise<string[]> {
  return withMigrationDataSource(database, async (dataSource) => (await migrateUnderLock(dataSource, options)).map((m) => m.name));
}

/** The name of the migration lock for the connection's current database; GET_LOCK names are at most 64 characters. */
export function migrationLockName(databaseName: string): string {
  const name = `kratos-nest:migrations:${databaseName}`;
  if (name.length <= 64) return name;
  return `kratos-nest:migrations:${createHash('sha256').update(databaseName).digest('hex').slice(0, 40)}`;
}

/** MigrationExecutor with its list of this build's migrations (oldest first, class names checked) made readable. */
class StatusReader extends MigrationExecutor {
  allMigrations(): Migration[] {
    return this.getMigrations();
  }
}

function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
}

async function withMigrationLock<T>(dataSource: DataSource, options: MigrateOptions, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const timeout = options.lockTimeoutSeconds ?? DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeout) || timeout < 0) throw new RangeError(`lock timeout must be a number of seconds ≥ 0 (got ${timeout})`);
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.connect();
    if (!isMysql(dataSource)) return await work(queryRunner);

    const [{ db }] = (await queryRunner.query('SELECT DATABASE() AS db')) as Array<{ db: string | null }>;
    const name = migrationLockName(db ?? '');
    let acquired = await getLock(queryRunner, name, 0);
    if (acquired === 0) {
      options.log?.(`waiting up to ${timeout} s for the migration lock "${name}": another process is migrating this database`);
      acquired = await getLock(queryRunner, name, timeout);
    }
    if (acquired === 0) {
      throw new MigrationLockError(
        `another process held the migration lock "${name}" for more than ${timeout} s; its migrations may still be running ` +
          `(SELECT IS_USED_LOCK('${name}') names its connection)`,
      );
    }
    if (acquired !== 1) throw new MigrationLockError(`GET_LOCK('${name}') returned NULL: the server could not take the migration lock`);
    try {
      return await work(queryRunner);
    } finally {
      // If the connection is gone, so is the lock: the server drops a session's locks with it.
      await queryRunner.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
    }
  } finally {
    await queryRunner.release();
  }
}

/** GET_LOCK's answer as 1 (taken), 0 (timed out) or null (error); mysql2 may hand the integer over as a string. */
async function getLock(queryRunner: QueryRunner, name: string, timeoutSeconds: number): Promise<number | null> {
  const [row] = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS acquired', [name, timeoutSeconds])) as Array<{ acquired: number | string | null }>;
  return row.acquired === null ? null : Number(row.acquired);
}
