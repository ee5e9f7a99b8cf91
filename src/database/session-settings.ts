import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';

interface SessionConnection {
  query(sql: string, callback: (err: Error | null) => void): void;
  destroy(): void;
}

interface MysqlDriverWithPool {
  obtainMasterConnection(): Promise<SessionConnection>;
  obtainSlaveConnection(): Promise<SessionConnection>;
}

/** The statements each service connection runs once, before its first use; none by default. */
export function sessionStatements(database: AppConfig['database']): string[] {
  if (database.type !== 'mysql') return [];
  const statements: string[] = [];
  // Galera: before each read, wait until this node has applied every write set the cluster committed before it.
  if (database.wsrepSyncWait !== undefined) statements.push(`SET SESSION wsrep_sync_wait = ${Math.trunc(database.wsrepSyncWait)}`);
  return statements;
}

/**
 * Runs `sessionStatements` on every pooled MySQL connection the first time TypeORM takes it, and waits for them before
 * handing the connection on: a session variable set from mysql2's 'connection' event would still be running when the
 * connection is handed out, and the connections TypeORM opened while initializing would never get it. A connection
 * whose statements fail is destroyed and the error thrown (a request then fails with 503, the boot with the error): a
 * setting that the server refuses is a misconfiguration, not something to run without. Call it before
 * `boundConnectionAcquire`, so that the acquire timeout covers these statements too.
 */
export function initializeSessions(dataSource: DataSource, database: AppConfig['database']): void {
  const statements = sessionStatements(database);
  if (dataSource.options.type !== 'mysql' || statements.length === 0) return;
  const logger = new Logger('Database');
  const driver = dataSource.driver as unknown as MysqlDriverWithPool;
  const obtain = driver.obtainMasterConnection.bind(driver);
  const initialized = new WeakSet<SessionConnection>();
  let reported: string | undefined;
  driver.obtainMasterConnection = async () => {
    const connection = await obtain();
    if (initialized.has(connection)) return connection;
    try {
      for (const sql of statements) {
        await new Promise<void>((resolve, reject) => connection.query(sql, (err) => (err ? reject(err) : resolve())));
      }
    } catch (err) {
      connection.destroy();
      const message = `the database refused "${statements.join('; ')}": ${(err as Error).message}`;
      if (reported !== message) logger.error(`${message} (DATABASE_WSREP_SYNC_WAIT needs a Galera node: MariaDB Galera Cluster, Percona XtraDB Cluster)`);
      reported = message;
      throw new Error(message, { cause: err });
    }
    initialized.add(connection);
    return connection;
  };
  driver.obtainSlaveConnection = () => driver.obtainMasterConnection();
}
