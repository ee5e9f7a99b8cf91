import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { IdentityEntity } from '../src/identity/entities/identity.entity';
import { runPendingMigrations } from '../src/database/run-migrations';
import { createTestDatabase, Dialect, queryDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const customerSchema = {
  $id: 'https://example.com/customer.schema.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { traits: { type: 'object', properties: { username: { type: 'string' } } } },
};
const base64Url = `base64://${Buffer.from(JSON.stringify(customerSchema)).toString('base64')}`;

describe.each<Dialect>(['mysql', 'sqlite'])('storage on %s', (dialect) => {
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.destroy();
    app = undefined;
  });

  it('migrates a fresh database at start and stores the configured schemas in config order', async () => {
    app = await startTestApp({
      dialect,
      env: {
        IDENTITY_SCHEMAS: JSON.stringify([
          { id: 'customer', url: base64Url },
          { id: 'default', url: `file://${require.resolve('../src/schema/bundled/quickstart-email-password.schema.json')}` },
        ]),
      },
    });
    const migrations = await queryDatabase<{ name: string }>(app.database.url, 'SELECT name FROM migrations');
    expect(migrations.length).toBeGreaterThan(0);
    const rows = await queryDatabase<{ id: string; position: number }>(app.database.url, 'SELECT id, position FROM identity_schemas ORDER BY position');
    expect(rows.map((r) => r.id)).toEqual(['customer', 'default']);

    const list = (await (await fetch(`${app.publicUrl}/schemas`)).json()) as Array<{ id: string; schema: unknown }>;
    expect(list.map((s) => s.id)).toEqual(['customer', 'default']);
    expect(list[0].schema).toEqual(customerSchema);
    const byEncodedId = await fetch(`${app.adminUrl}/schemas/${Buffer.from('customer').toString('base64url')}`);
    expect(await byEncodedId.json()).toEqual(customerSchema);
  });

  it('restarts on an existing database without re-running migrations', async () => {
    app = await startTestApp({ dialect });
    const database = app.database;
    await app.stop();
    app = await startTestApp({ database });
    expect((await fetch(`${app.publicUrl}/schemas/default`)).status).toBe(200);
    const migrations = await queryDatabase<{ name: string }>(database.url, 'SELECT name FROM migrations');
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
  });

  it('with DATABASE_AUTO_MIGRATE=false refuses to start on an unmigrated database, and starts once migration:run has run', async () => {
    const database: TestDatabase = await createTestDatabase(dialect);
    try {
      await expect(startTestApp({ database, env: { DATABASE_AUTO_MIGRATE: 'false' } })).rejects.toThrow(/migration:run/);
      const applied = await runPendingMigrations(loadConfig({ DATABASE_URL: database.url }).database);
      expect(applied.length).toBeGreaterThan(0);
      expect(await runPendingMigrations(loadConfig({ DATABASE_URL: database.url }).database)).toEqual([]);
      app = await startTestApp({ database, env: { DATABASE_AUTO_MIGRATE: 'false' } });
      expect((await fetch(`${app.adminUrl}/health/ready`)).status).toBe(200);
    } finally {
      if (!app) await database.drop();
    }
  });

  it('refuses a null or undefined value in a where-object instead of matching every row (TypeORM 1)', async () => {
    app = await startTestApp({ dialect });
    const manager = app.app.get(DataSource).manager;
    await fetch(`${app.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email: 'where@example.com' } }),
    });
    await expect(manager.findOne(IdentityEntity, { where: { id: undefined } })).rejects.toThrow(/undefined/i);
    await expect(manager.findOne(IdentityEntity, { where: { id: null as unknown as string } })).rejects.toThrow(/null/i);
    await expect(manager.update(IdentityEntity, { id: undefined }, { state: 'inactive' })).rejects.toThrow(/undefined/i);
    expect(await manager.count(IdentityEntity, { where: { state: 'active' } })).toBe(1);
  });

  it('refuses to start when a configured schema cannot be loaded, naming the schema', async () => {
    await expect(
      startTestApp({ dialect, env: { IDENTITY_SCHEMAS: JSON.stringify([{ id: 'default', url: 'file:///nonexistent/schema.json' }]) } }),
    ).rejects.toThrow(/IDENTITY_SCHEMAS: cannot load schema "default"/);
  });
});
