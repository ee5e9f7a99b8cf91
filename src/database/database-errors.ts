import { DIALECTS, type DriverError, type RetryableKind } from './dialect';

/**
 * Recognises driver errors by their codes. What each code means is each dialect's (`Dialect.errors`); the codes of
 * mysql2 and better-sqlite3 do not overlap, so an error is asked of every dialect of the build, whichever threw it.
 */

const ALL = Object.values(DIALECTS).map((d) => d.errors);

function driverError(err: unknown): DriverError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DriverError;
  return e.driverError ?? e;
}

export function isUniqueViolation(err: unknown): boolean {
  const e = driverError(err);
  return e !== undefined && ALL.some((errors) => errors.isUniqueViolation(e));
}

export function isRetryableTransactionError(err: unknown): boolean {
  return retryableTransactionErrorKind(err) !== undefined;
}

/** Why a transaction may be retried (the `reason` of db_transaction_retries_total), or undefined when it may not. */
export function retryableTransactionErrorKind(err: unknown): RetryableKind | undefined {
  const e = driverError(err);
  if (!e) return undefined;
  for (const errors of ALL) {
    const kind = errors.retryableKind(e);
    if (kind) return kind;
  }
  return undefined;
}

/**
 * The column whose value the database refused, when that is what `err` is. Validation keeps such values out; this
 * is the net under it, so that a value that slipped through is the client's 400, not a 500.
 */
export function refusedValueColumn(err: unknown): string | undefined {
  const e = driverError(err);
  if (!e) return undefined;
  for (const errors of ALL) {
    const column = errors.refusedValueColumn(e);
    if (column !== undefined) return column;
  }
  return undefined;
}

/** Node's socket and DNS codes: the database could not be reached, whichever it is. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * When `err` says the database is unavailable (down, unreachable, frozen past a timeout, out of connections): the
 * class of failure, for a 503 and one log line per class; otherwise undefined.
 */
export function databaseUnavailableClass(err: unknown): string | undefined {
  const e = driverError(err);
  if (e?.code && UNREACHABLE.has(e.code)) return e.code;
  if (e) {
    for (const errors of ALL) {
      const unavailable = errors.unavailableClass(e);
      if (unavailable) return unavailable;
    }
  }
  if (err instanceof DatabaseTimeoutError) return 'TIMEOUT';
  return undefined;
}

/** A database operation that did not finish within its bound (a frozen server answers nothing, not even an error). */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DATABASE_TIMEOUT';
}
