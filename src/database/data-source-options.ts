import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { MYSQL_MIGRATIONS } from './migrations/mysql';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';
import { DatabaseLogger } from './typeorm-logger';

/**
 * A null or undefined value in a where-object is a bug in the caller, never "match anything": TypeORM 0.3 dropped
 * such a key (a lookup matched every row), TypeORM 1 throws by default. Stated here so that nobody relaxes it.
 */
const WHERE_VALUES = { invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' } } as const;

/**
 * TypeORM options for the configured store. Schema changes come only from migrations (never `synchronize`).
 * Times are stored in UTC; MySQL columns are DATETIME(6) and SQLite keeps TypeORM's UTC text form.
 */
export function dataSourceOptions(database: AppConfig['database'], purpose: 'service' | 'migrations' = 'service'): DataSourceOptions {
  if (database.type === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...WHERE_VALUES,
      type: 'better-sqlite3',
      database: database.path,
      migrations: SQLITE_MIGRATIONS,
      migrationsTableName: 'migrations',
      synchronize: false,
      logger: new DatabaseLogger(),
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 5000');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...WHERE_VALUES,
    type: 'mysql',
    url: database.url,
    migrations: MYSQL_MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    timezone: 'Z',
    charset: 'utf8mb4_bin',
    supportBigNumbers: true,
    bigNumberStrings: true,
    poolSize: database.poolSize,
    connectTimeout: database.connectTimeoutMs,
    // Every query is bounded (mysql2 ends the connection when it times out), so that a frozen server answers requests
    // with 503 instead of holding them; migrations may legitimately run long and are not.
    ...(purpose === 'service' ? { enableQueryTimeout: true, maxQueryExecutionTime: database.queryTimeoutMs } : {}),
    logger: new DatabaseLogger(),
    extra: { connectionLimit: database.poolSize, enableKeepAlive: true },
  };
}
