import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { startTestApp, TestApp } from './support/test-app';

/** DATABASE_WSREP_SYNC_WAIT: every pooled connection runs `SET SESSION wsrep_sync_wait` before its first use. */
describe('database session settings (MariaDB)', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.destroy();
  });

  async function sessionValues(app: TestApp, connections: number): Promise<string[]> {
    const dataSource = app.app.get(DataSource);
    // Hold several connections at once, so that the pool opens new ones besides those TypeORM opened at start.
    const runners = Array.from({ length: connections }, () => dataSource.createQueryRunner());
    try {
      return await Promise.all(
        runners.map(async (runner) => {
          const [row] = (await runner.query('SELECT @@SESSION.wsrep_sync_wait AS v, SLEEP(0.05) AS s')) as Array<{ v: string | number }>;
          return String(row.v);
        }),
      );
    } finally {
      await Promise.all(runners.map((r) => r.release()));
    }
  }

  it('sets wsrep_sync_wait on every connection, including those opened while TypeORM started', async () => {
    const app = await startTestApp({ dialect: 'mysql', env: { DATABASE_WSREP_SYNC_WAIT: '1', DATABASE_POOL_SIZE: '4' } });
    apps.push(app);
    expect(await sessionValues(app, 4)).toEqual(['1', '1', '1', '1']);
    expect(await sessionValues(app, 4)).toEqual(['1', '1', '1', '1']);
    // The service works as usual with it (a write, then a read of it).
    const created = await fetch(`${app.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email: 'sync-wait@example.com' } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${app.adminUrl}/admin/identities/${id}`)).status).toBe(200);
  });

  it('leaves the server value alone when unset', async () => {
    const app = await startTestApp({ dialect: 'mysql', env: { DATABASE_POOL_SIZE: '2' } });
    apps.push(app);
    expect(await sessionValues(app, 2)).toEqual(['0', '0']);
  });

  it('refuses values outside 0–15', () => {
    for (const value of ['16', '-1', '1.5', 'on']) expect(() => loadConfig({ DATABASE_WSREP_SYNC_WAIT: value })).toThrow(/DATABASE_WSREP_SYNC_WAIT/);
    expect(loadConfig({ DATABASE_WSREP_SYNC_WAIT: '3' }).database.wsrepSyncWait).toBe(3);
    expect(loadConfig({}).database.wsrepSyncWait).toBeUndefined();
  });
});
