import type { DataSource } from 'typeorm';
import { DatabaseTimeoutError } from './database-errors';

interface PooledConnection {
  release(): void;
  destroy(): void;
  query(...args: unknown[]): unknown;
  /** mysql2's marks of a connection that cannot run commands any more (it answers none, not even with an error). */
  _fatalError?: unknown;
  _closing?: boolean;
  stream?: { destroyed?: boolean };
  /** The command running, and those queued behind it. */
  _command?: unknown;
  _commands?: { length: number };
}

interface MysqlDriverWithPool {
  obtainMasterConnection(): Promise<PooledConnection>;
  obtainSlaveConnection(): Promise<PooledConnection>;
}

/**
 * Bounds the wait for a pooled MySQL connection. mysql2's pool has no acquire timeout: while the server is frozen,
 * a request queued behind busy connections, or one whose new connection never completes its handshake, would wait
 * forever. TypeORM takes every connection through these two driver methods, so this is the one place to bound it;
 * a connection that arrives after the deadline is given back to the pool at once.
 *
 * The pool also hands out connections that a query timeout has left stuck: mysql2 answers the timed-out query with
 * an error but leaves it running on its connection, which goes back to the pool; every later command on it would
 * queue behind the query forever. A free connection that is still running a command is such a one: it is destroyed
 * here and another is taken.
 */
export function boundConnectionAcquire(dataSource: DataSource, timeoutMs: number): void {
  if (dataSource.options.type !== 'mysql') return; // SQLite has one connection, in process
  const driver = dataSource.driver as unknown as MysqlDriverWithPool;
  const master = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = async () => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const connection = await acquireWithin(master(), Math.max(1, deadline - Date.now()), timeoutMs);
      if (!isBroken(connection)) return destroyedOnQueryTimeout(connection);
      connection.destroy();
    }
  };
  driver.obtainSlaveConnection = () => driver.obtainMasterConnection();
}

const guarded = new WeakSet<PooledConnection>();

/**
 * Ends a connection as soon as one of its queries times out. mysql2 leaves the timed-out query running on it, and a
 * later command on the same connection (the ROLLBACK of the transaction that just failed) would wait behind it
 * forever, with no timer of its own (a command's timeout starts when it starts); on an ended connection it fails at
 * once instead.
 */
function destroyedOnQueryTimeout(connection: PooledConnection): PooledConnection {
  if (guarded.has(connection)) return connection;
  guarded.add(connection);
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    const at = args.findIndex((a) => typeof a === 'function');
    if (at >= 0) {
      const callback = args[at] as (err: { code?: string } | null, ...rest: unknown[]) => void;
      args[at] = (err: { code?: string } | null, ...rest: unknown[]) => {
        if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
        callback(err, ...rest);
      };
    }
    return query(...args);
  };
  return connection;
}

function isBroken(connection: PooledConnection): boolean {
  return (
    Boolean(connection._fatalError) ||
    connection._closing === true ||
    connection.stream?.destroyed === true ||
    Boolean(connection._command) ||
    (connection._commands?.length ?? 0) > 0
  );
}

function acquireWithin(acquiring: Promise<PooledConnection>, waitMs: number, timeoutMs: number): Promise<PooledConnection> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new DatabaseTimeoutError(`no database connection within ${timeoutMs} ms`));
    }, waitMs);
    acquiring.then(
      (connection) => {
        clearTimeout(timer);
        if (late) connection.release();
        else resolve(connection);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!late) reject(err instanceof Error ? err : new Error('acquiring a connection failed', { cause: err }));
      },
    );
  });
}
