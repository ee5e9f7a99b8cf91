import type { DatabaseConfig } from '../../config/app-config';

/** The names of the stores this build speaks; `DatabaseConfig['type']`. */
export type DialectName = DatabaseConfig['type'];

/** A driver's error, as the driver throws it or as TypeORM wraps it (`QueryFailedError.driverError`). */
export interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
  driverError?: DriverError;
}

/** Why a transaction may be retried: the `reason` label of db_transaction_retries_total. */
export type RetryableKind = 'deadlock' | 'lock_wait_timeout' | 'busy';

export interface RowLockOptions {
  /** Skip rows another transaction holds instead of waiting for them (`SKIP LOCKED`). */
  skipLocked?: boolean;
}

/** How one store's driver reports the failures the service tells apart. Each answers only for its own codes. */
export interface DialectErrors {
  /** A unique or primary-key constraint refused the row. */
  isUniqueViolation(e: DriverError): boolean;
  /** A deadlock, a lock-wait timeout or a busy store: the whole transaction may run again. */
  retryableKind(e: DriverError): RetryableKind | undefined;
  /** The column whose value the store refused (too long, out of range, not a date), or undefined. */
  refusedValueColumn(e: DriverError): string | undefined;
  /** The class of "the store is unavailable" this error is (for a 503), or undefined. */
  unavailableClass(e: DriverError): string | undefined;
}

/**
 * What differs between stores, in one place: repositories ask the dialect (`UnitOfWork.sqlDialect`) instead of
 * testing the configured type. See `index.ts` for what a new dialect implements.
 */
/** 'YYYY-MM-DD HH:MM:SS.SSS' in UTC: what TypeORM writes for a timestamp in MySQL and SQLite alike. */
export function utcTimestampText(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A value for a raw statement's parameter: Dates as UTC text, booleans as 1/0 (better-sqlite3 binds neither). */
export function sqlParameter(value: unknown): unknown {
  if (value instanceof Date) return utcTimestampText(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** A UTC timestamp as a driver returns it: a Date, or 'YYYY-MM-DD HH:MM:SS[.ffffff]' text without a zone. */
export function readUtcTimestamp(value: unknown): Date {
  return value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`);
}

export interface Dialect {
  readonly name: DialectName;
  /**
   * A clause to append to a raw `SELECT` (with its leading space) that locks the rows it reads for the calling
   * transaction (`FOR UPDATE`, optionally `SKIP LOCKED`), or '' for a store without row locks (SQLite: one writer at
   * a time).
   */
  lockClause(options?: RowLockOptions): string;
  /** An SQL expression for the current UTC time, comparable with the store's timestamp columns. */
  utcNow(): string;
  /** An SQL expression for the current UTC time plus `ms` milliseconds (a whole number ≥ 0). */
  utcNowPlusMs(ms: number): string;
  /**
   * A timestamp column's value as a raw query returns it (repositories that map rows by hand), as a Date: mysql2
   * gives Dates (UTC, the pool's `timezone: 'Z'`), SQLite the UTC text TypeORM wrote.
   */
  readTimestamp(value: unknown): Date;
  /** A value as a raw statement's parameter for this store (see `sqlParameter`). */
  writeValue(value: unknown): unknown;
  /** Whether transactions run one after another in process (one connection, one writer): UnitOfWork queues them. */
  readonly serializesTransactions: boolean;
  /** Whether the store honours isolation levels per transaction (`UnitOfWork.run({ isolation })`). */
  readonly supportsIsolationLevels: boolean;
  readonly errors: DialectErrors;
  /** Where the configured store is, without its password (for operators' output). */
  describeTarget(database: DatabaseConfig): string;
}
