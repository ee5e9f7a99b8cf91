import { readUtcTimestamp, sqlParameter, type Dialect, type DriverError, type RetryableKind } from './dialect';

/** SQLite's text form of a UTC timestamp, as TypeORM stores `datetime` columns. */
const NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/**
 * SQLite through better-sqlite3: one connection, one writer at a time, so no row locks (a transaction already
 * excludes every other writer) and no isolation levels; UnitOfWork runs its transactions one after another.
 */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  lockClause: () => '',
  utcNow: () => NOW,
  // TypeORM writes 'YYYY-MM-DD HH:MM:SS.SSS' in UTC (and reads it back the same way).
  readTimestamp: readUtcTimestamp,
  writeValue: sqlParameter,
  utcNowPlusMs: (ms) => `strftime('%Y-%m-%d %H:%M:%f', 'now', '+${(Math.round(ms) / 1000).toFixed(3)} seconds')`,
  serializesTransactions: true,
  supportsIsolationLevels: false,
  describeTarget: (database) => `sqlite ${'path' in database ? database.path : ''}`,
  errors: {
    isUniqueViolation: (e: DriverError) => e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    retryableKind: (e: DriverError): RetryableKind | undefined => (e.code === 'SQLITE_BUSY' ? 'busy' : undefined),
    // SQLite stores what it is given (type affinity): it refuses no value for its column type.
    refusedValueColumn: () => undefined,
    unavailableClass: (e: DriverError) => (e.code === 'SQLITE_BUSY' ? e.code : undefined),
  },
};
