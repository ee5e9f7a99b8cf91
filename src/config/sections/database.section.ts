import { z } from 'zod';
import { booleanFlag, defineSection, goDuration, nonNegativeInt, positiveInt } from './config-section';

export type DatabaseConfig = { type: 'mysql'; url: string; poolSize: number } | { type: 'sqlite'; path: string };

const databaseUrl = z.string().refine((v) => /^(mysql|mariadb):\/\/.+/.test(v) || /^sqlite:(\/\/.+|:memory:)$/.test(v), {
  error: 'must be mysql://user:pass@host:port/db, sqlite://path or sqlite::memory:',
});

function parseDatabase(url: string, poolSize: number): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    return { type: 'sqlite', path: url === 'sqlite::memory:' ? ':memory:' : url.slice('sqlite://'.length) };
  }
  return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), poolSize };
}

export const databaseSection = defineSection(
  {
    DATABASE_URL: databaseUrl.default('sqlite://./data/kratos.sqlite'),
    DATABASE_AUTO_MIGRATE: booleanFlag.prefault('true'),
    DATABASE_POOL_SIZE: positiveInt.default(10),
    DATABASE_TX_RETRIES: nonNegativeInt.default(3),
    DATABASE_CONNECT_MAX_WAIT: goDuration('DATABASE_CONNECT_MAX_WAIT').prefault('5m'),
    DATABASE_CONNECT_TIMEOUT: goDuration('DATABASE_CONNECT_TIMEOUT').prefault('5s'),
    DATABASE_QUERY_TIMEOUT: goDuration('DATABASE_QUERY_TIMEOUT').prefault('10s'),
    DATABASE_ACQUIRE_TIMEOUT: goDuration('DATABASE_ACQUIRE_TIMEOUT').prefault('10s'),
    /** Galera: `SET SESSION wsrep_sync_wait = N` on every service connection; unset leaves the server's value. */
    DATABASE_WSREP_SYNC_WAIT: z.coerce.number().int().min(0).max(15).optional(),
  },
  /**
   * `connectMaxWaitMs`: how long a start waits for the database; `connectTimeoutMs`, `acquireTimeoutMs` and
   * `queryTimeoutMs` bound each connection attempt, each wait for a pooled connection and each query, so that a frozen
   * server fails requests (503) instead of hanging them.
   */
  (v) => ({
    ...parseDatabase(v.DATABASE_URL, v.DATABASE_POOL_SIZE),
    autoMigrate: v.DATABASE_AUTO_MIGRATE,
    transactionRetries: v.DATABASE_TX_RETRIES,
    connectMaxWaitMs: v.DATABASE_CONNECT_MAX_WAIT,
    connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT,
    queryTimeoutMs: v.DATABASE_QUERY_TIMEOUT,
    acquireTimeoutMs: v.DATABASE_ACQUIRE_TIMEOUT,
    wsrepSyncWait: v.DATABASE_WSREP_SYNC_WAIT,
  }),
);
