/** Recognises driver errors by their codes, for both mysql2 and better-sqlite3. */

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
  driverError?: DriverError;
}

function driverError(err: unknown): DriverError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DriverError;
  return e.driverError ?? e;
}

export function isUniqueViolation(err: unknown): boolean {
  const e = driverError(err);
  return e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062 || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isRetryableTransactionError(err: unknown): boolean {
  return retryableTransactionErrorKind(err) !== undefined;
}

/** Why a transaction may be retried (the `reason` of db_transaction_retries_total), or undefined when it may not. */
export function retryableTransactionErrorKind(err: unknown): 'deadlock' | 'lock_wait_timeout' | 'busy' | undefined {
  const e = driverError(err);
  if (e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213) return 'deadlock';
  if (e?.code === 'ER_LOCK_WAIT_TIMEOUT' || e?.errno === 1205) return 'lock_wait_timeout';
  if (e?.code === 'SQLITE_BUSY') return 'busy';
  return undefined;
}

/** MySQL's refusals of a value its column cannot hold: too long, out of range, or not a valid date. */
const VALUE_REFUSED = new Set(['ER_DATA_TOO_LONG', 'ER_WARN_DATA_OUT_OF_RANGE', 'ER_TRUNCATED_WRONG_VALUE', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD']);

/**
 * The column whose value the database refused, when that is what `err` is. Validation keeps such values out; this
 * is the net under it, so that a value that slipped through is the client's 400, not a 500.
 */
export function refusedValueColumn(err: unknown): string | undefined {
  const e = driverError(err);
  if (!e?.code || !VALUE_REFUSED.has(e.code)) return undefined;
  const text = e.sqlMessage ?? e.message ?? '';
  return /column [`']?(?:[^`'.]+[`']?\.[`']?)*([^`'.\s]+)[`']?/.exec(text)?.[1] ?? 'unknown';
}

/** Driver codes that mean the database could not be reached or stopped answering, not that the request was wrong. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'SQLITE_BUSY',
]);

/**
 * When `err` says the database is unavailable (down, unreachable, frozen past a timeout, out of connections): the
 * class of failure, for a 503 and one log line per class; otherwise undefined.
 */
export function databaseUnavailableClass(err: unknown): string | undefined {
  const e = driverError(err);
  if (e?.code && UNAVAILABLE.has(e.code)) return e.code;
  // mysql2 reports a command on a connection it has already lost without a code.
  if (/connection is in closed state|Pool is closed/i.test(e?.message ?? '')) return 'CONNECTION_CLOSED';
  if (err instanceof DatabaseTimeoutError) return 'TIMEOUT';
  return undefined;
}

/** A database operation that did not finish within its bound (a frozen server answers nothing, not even an error). */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DATABASE_TIMEOUT';
}
