import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { Counter, Registry } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { METRICS_REGISTRY } from '../metrics/metrics.module';
import { retryableTransactionErrorKind } from './database-errors';
import { dialectOf, type Dialect, type DialectName } from './dialect';

interface TransactionScope {
  manager: EntityManager;
  afterCommit: Array<() => void>;
}

export interface RunOptions {
  isolation?: IsolationLevel;
  /** Run in a transaction of its own even when called inside another (background work started by a request). */
  detached?: boolean;
}

/**
 * Runs work in one database transaction and lets repositories find it without passing it around:
 * repositories call `manager()`, which is the open transaction's manager inside `run`, and the pool outside.
 * Deadlocks and lock-wait timeouts retry the whole unit a bounded number of times (DATABASE_TX_RETRIES).
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly scope = new AsyncLocalStorage<TransactionScope>();
  /** SQLite has one connection and one writer: its transactions run one after another. */
  private sqliteQueue: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;
  /** What differs between stores (row locks, SQL time expressions): repositories ask this rather than the type. */
  readonly sqlDialect: Dialect;
  private readonly retries: Counter<'reason'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.sqlDialect = dialectOf(config.database);
    this.serialize = this.sqlDialect.serializesTransactions;
    this.retries = new Counter({
      name: 'db_transaction_retries_total',
      help: 'Transactions run again after a deadlock, a lock-wait timeout or a busy SQLite, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of ['deadlock', 'lock_wait_timeout', 'busy'] as const) this.retries.inc({ reason }, 0);
  }

  /** The store's name. Not for branching on: use `sqlDialect` (a new store then needs no change in repositories). */
  get dialect(): DialectName {
    return this.sqlDialect.name;
  }

  manager(): EntityManager {
    return this.scope.getStore()?.manager ?? this.dataSource.manager;
  }

  inTransaction(): boolean {
    return this.scope.getStore() !== undefined;
  }

  /** Runs `callback` once the outermost transaction has committed (never when it rolls back). */
  afterCommit(callback: () => void): void {
    const store = this.scope.getStore();
    if (!store) throw new Error('afterCommit() called outside a transaction');
    store.afterCommit.push(callback);
  }

  async run<T>(work: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (options.detached) return this.scope.exit(() => this.run(work, { ...options, detached: false }));
    if (this.inTransaction()) return work();
    const runWithRetry = () => this.withRetries(() => this.runOnce(work, options));
    if (!this.serialize) return runWithRetry();
    const result = this.sqliteQueue.then(runWithRetry, runWithRetry);
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }

  /**
   * One autocommit statement, without a transaction of its own (inside one, it simply runs there), retried as
   * transactions are when it loses a deadlock or, on Galera, certification: the relay's marks and releases.
   */
  autocommit<T>(statement: () => Promise<T>): Promise<T> {
    if (this.inTransaction()) return statement();
    return this.withRetries(statement);
  }

  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        const reason = retryableTransactionErrorKind(err);
        if (tries >= this.config.database.transactionRetries || !reason) throw err;
        this.retries.inc({ reason });
        this.logger.warn(`transaction retried after ${(err as Error).message} (attempt ${tries + 2})`);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (tries + 1)));
      }
    }
  }

  private async runOnce<T>(work: () => Promise<T>, options: RunOptions): Promise<T> {
    const afterCommit: Array<() => void> = [];
    const isolation = this.sqlDialect.supportsIsolationLevels ? options.isolation : undefined;
    const transactional = (manager: EntityManager) => this.scope.run({ manager, afterCommit }, work);
    const result = isolation ? await this.dataSource.transaction(isolation, transactional) : await this.dataSource.transaction(transactional);
    for (const callback of afterCommit) {
      try {
        callback();
      } catch (err) {
        this.logger.error({ err }, 'after-commit callback failed');
      }
    }
    return result;
  }
}
