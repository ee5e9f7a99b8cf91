/**
 * The dialect seam: everything that differs between the stores the service runs on, behind one `Dialect` object per
 * store. Code outside src/database never tests the configured type; it asks `UnitOfWork.sqlDialect` (row locks, time
 * expressions in raw SQL) or calls src/database/database-errors.ts (which asks every dialect's `errors`).
 *
 * Adding a store (say PostgreSQL) takes:
 * 1. its driver (`pg`) and its branch in data-source-options.ts (TypeORM options, its own migrations list);
 * 2. its migrations, in src/database/migrations/<name>/, creating the same tables as the others;
 * 3. its dialect object, `<name>.dialect.ts`, implementing `Dialect` (dialect.ts):
 *    - `lockClause({ skipLocked })`: row locks for the calling transaction (`FOR UPDATE [SKIP LOCKED]`), or '' where
 *      the store has none;
 *    - `utcNow()`, `utcNowPlusMs(ms)`: SQL expressions comparable with its timestamp columns;
 *    - `serializesTransactions`, `supportsIsolationLevels`: how UnitOfWork runs its transactions;
 *    - `errors`: its driver's codes for a unique violation, a retryable transaction failure (deadlock, lock-wait
 *      timeout, busy), a refused value (with the column) and an unavailable store;
 * 4. its name in `DatabaseConfig` (src/config) and in `DIALECTS` below.
 * Known gaps for PostgreSQL specifically: the raw queries of outbox.repository.ts use `?` placeholders (pg wants `$1`),
 * the entities' timestamp columns are declared `datetime` (pg wants `timestamp`), and the connection plumbing
 * (connection-acquire.ts, pool-stats.ts, session-settings.ts, the GET_LOCK migration lock in run-migrations.ts) is
 * mysql2's; each is a no-op on any other store, so a new store runs without those bounds until it gets its own.
 */
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../config/app-config';
import type { Dialect, DialectName } from './dialect';
import { mysqlDialect } from './mysql.dialect';
import { sqliteDialect } from './sqlite.dialect';

export type { Dialect, DialectErrors, DialectName, DriverError, RetryableKind, RowLockOptions } from './dialect';
export { mysqlDialect } from './mysql.dialect';
export { sqliteDialect } from './sqlite.dialect';

/** Every dialect of this build, by name. */
export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { mysql: mysqlDialect, sqlite: sqliteDialect };

/** TypeORM driver types, as in `DataSourceOptions.type`, that each dialect runs on. */
const DRIVER_TYPES: Readonly<Record<string, DialectName>> = { mysql: 'mysql', mariadb: 'mysql', 'better-sqlite3': 'sqlite', sqlite: 'sqlite' };

/** The dialect of a configured store, or of an open DataSource (by its TypeORM driver type). */
export function dialectOf(source: Pick<DatabaseConfig, 'type'> | Pick<DataSource, 'options'>): Dialect {
  const name = 'options' in source ? DRIVER_TYPES[source.options.type] : source.type;
  const dialect = name ? DIALECTS[name] : undefined;
  if (!dialect) throw new Error(`no dialect for database type "${'options' in source ? source.options.type : source.type}"`);
  return dialect;
}
