import { readUtcTimestamp, sqlParameter, type Dialect, type DriverError, type RetryableKind } from './dialect';

/** MySQL's refusals of a value its column cannot hold: too long, out of range, or not a valid date. */
const VALUE_REFUSED = new Set(['ER_DATA_TOO_LONG', 'ER_WARN_DATA_OUT_OF_RANGE', 'ER_TRUNCATED_WRONG_VALUE', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD']);

/** mysql2's and the server's codes for a server that is gone, going, or out of connections. */
const UNAVAILABLE = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
]);

/** MySQL and MariaDB (also Galera), through mysql2. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  lockClause(options = {}) {
    return options.skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE';
  },
  utcNow: () => 'UTC_TIMESTAMP(6)',
  utcNowPlusMs: (ms) => `UTC_TIMESTAMP(6) + INTERVAL ${Math.round(ms) * 1000} MICROSECOND`,
  readTimestamp: readUtcTimestamp,
  writeValue: sqlParameter,
  serializesTransactions: false,
  supportsIsolationLevels: true,
  describeTarget(database) {
    const url = new URL('url' in database ? database.url : '');
    return `${url.protocol.replace(/:$/, '')} ${url.host}${url.pathname}`;
  },
  errors: {
    isUniqueViolation: (e: DriverError) => e.code === 'ER_DUP_ENTRY' || e.errno === 1062,
    retryableKind(e: DriverError): RetryableKind | undefined {
      if (e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213) return 'deadlock';
      if (e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205) return 'lock_wait_timeout';
      return undefined;
    },
    refusedValueColumn(e: DriverError) {
      if (!e.code || !VALUE_REFUSED.has(e.code)) return undefined;
      const text = e.sqlMessage ?? e.message ?? '';
      return /column [`']?(?:[^`'.]+[`']?\.[`']?)*([^`'.\s]+)[`']?/.exec(text)?.[1] ?? 'unknown';
    },
    unavailableClass(e: DriverError) {
      if (e.code && UNAVAILABLE.has(e.code)) return e.code;
      // mysql2 reports a command on a connection it has already lost without a code.
      if (/connection is in closed state|Pool is closed/i.test(e.message ?? '')) return 'CONNECTION_CLOSED';
      return undefined;
    },
  },
};
