import type { DataSource } from 'typeorm';

export interface PoolStats {
  /** Connections handed out (open minus idle). */
  inUse: number;
  /** Open connections waiting in the pool for a caller. */
  idle: number;
  /** Callers waiting for a connection (all are in use and the pool is at its limit). */
  waiting: number;
  /** The pool's connection limit. */
  max: number;
}

/** The parts of mysql2's pool read here. Its queues are private (underscore) fields, with a `length`. */
interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

/**
 * The connection pool's occupancy, read at the moment of the call (a scrape), or undefined when there is no pool to
 * report: SQLite (one in-process connection), a data source not initialised yet or closed, or a mysql2 whose private
 * fields have changed shape. This is the one place that knows TypeORM's MySQL driver keeps its mysql2 pool in
 * `driver.pool` and how mysql2 tracks connections (`_allConnections`, `_freeConnections`, `_connectionQueue`); mysql2
 * has no public API for it. A mysql2 upgrade that renames them makes the pool gauges disappear rather than lie.
 */
export function readPoolStats(dataSource: DataSource): PoolStats | undefined {
  if (dataSource.options.type !== 'mysql' || !dataSource.isInitialized) return undefined;
  const pool = (dataSource.driver as unknown as { pool?: Mysql2Pool }).pool;
  const all = pool?._allConnections?.length;
  const free = pool?._freeConnections?.length;
  const waiting = pool?._connectionQueue?.length;
  if (typeof all !== 'number' || typeof free !== 'number' || typeof waiting !== 'number') return undefined;
  return { inUse: Math.max(0, all - free), idle: free, waiting, max: pool?.config?.connectionLimit ?? 0 };
}
