import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { UnitOfWork } from './unit-of-work';

/** A data source whose transactions fail with the given driver errors, one per attempt, then succeed. */
function failingDataSource(...codes: string[]): DataSource {
  const manager = {} as EntityManager;
  return {
    manager,
    transaction: async (...args: unknown[]) => {
      const code = codes.shift();
      if (code) throw Object.assign(new Error(code), { driverError: { code } });
      const work = args[args.length - 1] as (m: EntityManager) => Promise<unknown>;
      return work(manager);
    },
  } as unknown as DataSource;
}

async function retries(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('db_transaction_retries_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [v.labels.reason, v.value]));
}

describe('UnitOfWork metrics', () => {
  const config = loadConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db', DATABASE_TX_RETRIES: '2' });
  beforeAll(() => Logger.overrideLogger(false)); // the retries' warnings

  it('counts each retry by reason in db_transaction_retries_total', async () => {
    const registry = new Registry();
    const uow = new UnitOfWork(failingDataSource('ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'), config, registry);
    expect(await retries(registry)).toEqual({ deadlock: 0, lock_wait_timeout: 0, busy: 0 });
    expect(await uow.run(() => Promise.resolve('done'))).toBe('done');
    expect(await retries(registry)).toEqual({ deadlock: 1, lock_wait_timeout: 1, busy: 0 });
  });

  it('counts no retry for an error that is not retried, nor for the attempt that gives up', async () => {
    const registry = new Registry();
    const refused = new UnitOfWork(failingDataSource('ER_DUP_ENTRY'), config, registry);
    await expect(refused.run(() => Promise.resolve('never'))).rejects.toThrow('ER_DUP_ENTRY');
    expect(await retries(registry)).toEqual({ deadlock: 0, lock_wait_timeout: 0, busy: 0 });

    const other = new Registry();
    const exhausted = new UnitOfWork(failingDataSource('ER_LOCK_DEADLOCK', 'ER_LOCK_DEADLOCK', 'ER_LOCK_DEADLOCK'), config, other);
    await expect(exhausted.run(() => Promise.resolve('never'))).rejects.toThrow('ER_LOCK_DEADLOCK');
    expect(await retries(other)).toEqual({ deadlock: 2, lock_wait_timeout: 0, busy: 0 });
  });
});
