/** Recognises driver errors by their codes, for both mysql2 and better-sqlite3. */

interface DriverError {
  code?: string;
  errno?: number;
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
  const e = driverError(err);
  return (
    e?.code === 'ER_LOCK_DEADLOCK' ||
    e?.errno === 1213 ||
    e?.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    e?.errno === 1205 ||
    e?.code === 'SQLITE_BUSY'
  );
}
