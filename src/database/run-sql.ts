import { QueryFailedError, type EntityManager } from 'typeorm';

/** The part of a pooled mysql2 connection (callback API) that a statement needs. */
interface PooledConnection {
  query(options: { sql: string; timeout?: number }, values: unknown[], callback: (err: Error | null, result: unknown) => void): void;
  release(): void;
}

interface MysqlDriverPart {
  options: { maxQueryExecutionTime?: number; enableQueryTimeout?: boolean };
  /** Bounded and checked by connection-acquire.ts. */
  obtainMasterConnection(): Promise<PooledConnection>;
}

/**
 * Runs one statement and returns mysql2's result (rows for a SELECT). Outside a transaction on MySQL/MariaDB it goes
 * straight to a pooled connection: TypeORM's path (a query runner per statement, its broadcaster events awaited,
 * the promise wrapper's stack capture, the rows copied into a result object) cost more CPU than a primary-key SELECT.
 * It keeps what matters of that path: the connection comes through the driver (so connection-acquire.ts bounds the
 * wait and skips broken connections), the query timeout applies, slow statements are logged, and errors are
 * TypeORM's QueryFailedError, as database-errors.ts expects. Inside a transaction, and on SQLite, TypeORM runs it.
 */
export async function runSql<T = unknown>(manager: EntityManager, sql: string, params: unknown[]): Promise<T> {
  const dataSource = manager.connection;
  if (manager.queryRunner || dataSource.options.type !== 'mysql') return manager.query<T>(sql, params);
  const driver = dataSource.driver as unknown as MysqlDriverPart;
  const { maxQueryExecutionTime, enableQueryTimeout } = driver.options;
  const connection = await driver.obtainMasterConnection();
  const started = Date.now();
  try {
    return await new Promise<T>((resolve, reject) =>
      connection.query(enableQueryTimeout && maxQueryExecutionTime ? { sql, timeout: maxQueryExecutionTime } : { sql }, params, (err, result) =>
        err ? reject(new QueryFailedError(sql, params, err)) : resolve(result as T),
      ),
    );
  } finally {
    connection.release();
    const elapsed = Date.now() - started;
    if (maxQueryExecutionTime && elapsed > maxQueryExecutionTime) dataSource.logger.logQuerySlow(elapsed, sql, params);
  }
}
