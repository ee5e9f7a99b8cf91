import { randomUUID } from 'node:crypto';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { identityApi, sdkError } from './support/kratos-sdk';
import { startTestApp, TestApp } from './support/test-app';
import type { Dialect } from './support/test-database';
import { FAST_HASHING } from './support/fixtures';

const BCRYPT = '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq';

/** Counts the SQL statements on identity tables while `work` runs (the event relay polls the outbox meanwhile). */
async function countQueries(app: TestApp, work: () => Promise<unknown>): Promise<number> {
  const dataSource = app.app.get(DataSource);
  const original = dataSource.logger;
  let count = 0;
  const counting: TypeOrmLogger = {
    logQuery: (query: string) => {
      if (/identit/i.test(query)) count++;
    },
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  (dataSource as { logger: TypeOrmLogger }).logger = counting;
  try {
    await work();
  } finally {
    (dataSource as { logger: TypeOrmLogger }).logger = original;
  }
  return count;
}

describe.each<Dialect>(['mysql', 'sqlite'])('identities on %s: create, get, list, batch', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect, env: { ...FAST_HASHING } });
  });
  afterAll(async () => app?.destroy());

  it('creates, reads back and conflicts the same way', async () => {
    const sdk = identityApi(app.adminUrl);
    const email = `parity-${randomUUID().slice(0, 8)}@example.com`;
    const { data, status } = await sdk.createIdentity({
      createIdentityBody: {
        schema_id: 'default',
        traits: { email },
        credentials: { password: { config: { hashed_password: BCRYPT } } },
        metadata_admin: { a: 1 },
      },
    });
    expect(status).toBe(201);
    const got = await sdk.getIdentity({ id: data.id, includeCredential: ['password'] });
    expect(got.data).toMatchObject({
      id: data.id,
      traits: { email },
      metadata_admin: { a: 1 },
      credentials: { password: { identifiers: [email], config: { hashed_password: BCRYPT } } },
      verifiable_addresses: [{ value: email, verified: false, status: 'pending' }],
    });
    expect(got.data.created_at).toBe(data.created_at);
    expect((await sdkError(sdk.createIdentity({ createIdentityBody: { schema_id: 'default', traits: { email: email.toUpperCase() } } }))).status).toBe(409);
  });

  it('batch-creates and lists with both paginations', async () => {
    const sdk = identityApi(app.adminUrl);
    const { data } = await sdk.batchPatchIdentities({
      patchIdentitiesBody: {
        identities: Array.from({ length: 12 }, (_, i) => ({
          create: { schema_id: 'default', traits: { email: `batch-${i}-${randomUUID().slice(0, 6)}@example.com` } },
        })),
      },
    });
    expect(data.identities!.every((r) => r?.action === 'create')).toBe(true);
    const keyset = await sdk.listIdentities({ pageSize: 5 });
    expect(keyset.data).toHaveLength(5);
    expect(keyset.headers.link).toContain('rel="next"');
    const legacy = await sdk.listIdentities({ page: 0, perPage: 100 });
    expect(Number(legacy.headers['x-total-count'])).toBe(legacy.data.length);
    const ids = legacy.data.map((i) => i.id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('costs the same number of queries for a page of 2 and a page of 200, deep or not', async () => {
    const sdk = identityApi(app.adminUrl);
    await sdk.batchPatchIdentities({
      patchIdentitiesBody: {
        identities: Array.from({ length: 210 }, (_, i) => ({
          create: { schema_id: 'default', traits: { email: `cost-${i}-${randomUUID().slice(0, 6)}@example.com` } },
        })),
      },
    });
    const small = await countQueries(app, () => sdk.listIdentities({ pageSize: 2 }));
    const large = await countQueries(app, () => sdk.listIdentities({ pageSize: 200, includeCredential: ['password'] }));
    const all = (await sdk.listIdentities({ pageSize: 500 })).data;
    const deep = await countQueries(app, () => sdk.listIdentities({ pageSize: 200, pageToken: all[all.length - 3].id, includeCredential: ['password'] }));
    expect(small).toBeLessThanOrEqual(3);
    expect(large).toBeLessThanOrEqual(5);
    expect(deep).toBe(large);
  });
});
