import { QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager } from 'typeorm';

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
 * Runs one statement and returns mysql2's result (rows for a SELECT). On MySQL/MariaDB it goes straight to the
 * connection (a pooled one outside a transaction): TypeORM's path (a query runner per statement, its broadcaster events awaited,
 * the promise wrapper's stack capture, the rows copied into a result object) cost more CPU than a primary-key SELECT.
 * It keeps what matters of that path: the connection comes through the driver (so connection-acquire.ts bounds the
 * wait and skips broken connections), the query timeout applies, slow statements are logged, and errors are
 * TypeORM's QueryFailedError, as database-errors.ts expects. Inside a transaction it runs on the transaction's
 * connection (TypeORM still sends START TRANSACTION, COMMIT and ROLLBACK). On SQLite TypeORM runs it.
 */
export async function runSql<T = unknown>(manager: EntityManager, sql: string, params: unknown[]): Promise<T> {
  const dataSource = manager.connection;
  if (dataSource.options.type !== 'mysql') return manager.query<T>(sql, params);
  const driver = dataSource.driver as unknown as MysqlDriverPart;
  const { maxQueryExecutionTime, enableQueryTimeout } = driver.options;
  // In a transaction, its runner's connection (already taken, and kept until the runner is released).
  const runner = manager.queryRunner;
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const connection = runner ? ((await runner.connect()) as PooledConnection) : await driver.obtainMasterConnection();
  const started = Date.now();
  try {
    return await new Promise<T>((resolve, reject) =>
      connection.query(enableQueryTimeout && maxQueryExecutionTime ? { sql, timeout: maxQueryExecutionTime } : { sql }, params, (err, result) =>
        err ? reject(new QueryFailedError(sql, params, err)) : resolve(result as T),
      ),
    );
  } finally {
    if (!runner) connection.release();
    const elapsed = Date.now() - started;
    if (maxQueryExecutionTime && elapsed > maxQueryExecutionTime) dataSource.logger.logQuerySlow(elapsed, sql, params);
  }
}

/** Runs an UPDATE or DELETE and returns how many rows it changed (mysql2's affectedRows, SQLite's changes). */
export async function runUpdate(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  if (manager.connection.options.type === 'mysql') return (await runSql<{ affectedRows: number }>(manager, sql, params)).affectedRows;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).affected ?? 0;
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
