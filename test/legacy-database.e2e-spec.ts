import { MYSQL_MIGRATIONS } from '../src/database/migrations/mysql';
import { SQLITE_MIGRATIONS } from '../src/database/migrations/sqlite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { capture as runCapture, type LegacyCapture } from './fixtures/legacy-database/capture';
import { QueueReader, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, Dialect, queryDatabase, TestDatabase, withDataSource } from './support/test-database';

/*
 * A database that the previous stack (commit 8abd0ff: Node 20, NestJS 11, TypeORM 0.3, BullMQ 5) created and filled,
 * opened by the current code: it migrates forward, answers as before and keeps working (fixtures/legacy-database).
 */
const FIXTURES = join(__dirname, 'fixtures', 'legacy-database');

/** The settings the fixtures were captured with (their README), so that stored and computed values agree. */
const CAPTURE_ENV = {
  RECOVERY_SECRET: 'legacy-fixture-recovery-secret-0123456789abcdef',
  SESSION_LIFESPAN: '876000h',
  SELFSERVICE_FLOW_LIFESPAN: '876000h',
  RECOVERY_LIFESPAN: '876000h',
  PRIVILEGED_SESSION_MAX_AGE: '876000h',
  PUBLIC_BASE_URL: 'http://127.0.0.1:4433',
  ADMIN_BASE_URL: 'http://127.0.0.1:4434',
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * What two runs of the same operations must agree on: ids are numbered by first appearance, times, argon2 hashes
 * (salted) and the CloudEvents source (the host name) are placeholders; everything else is compared as it is.
 */
function normalised(value: unknown): unknown {
  const ids = new Map<string, string>();
  const text = JSON.stringify(value)
    .replace(UUID, (id) => ids.get(id) ?? (ids.set(id, `<id ${ids.size + 1}>`), ids.get(id)!))
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\$argon2id\$[^"]+/g, '<argon2id hash>')
    .replace(/"source":"urn:kratos-nest:[^"]*"/g, '"source":"<source>"');
  return JSON.parse(text) as unknown;
}

async function loadDump(dialect: Dialect, database: TestDatabase): Promise<void> {
  if (dialect === 'sqlite') {
    const db = new Database(database.url.slice('sqlite://'.length));
    try {
      db.exec(readFileSync(join(FIXTURES, 'sqlite.sql'), 'utf8'));
    } finally {
      db.close();
    }
    return;
  }
  const conn = await createConnection({ uri: database.url, multipleStatements: true });
  try {
    // The dump lists tables by name, not by their foreign keys (mysqldump's own header would switch the checks off).
    await conn.query(`SET FOREIGN_KEY_CHECKS=0;\n${readFileSync(join(FIXTURES, 'mysql.sql'), 'utf8')}\nSET FOREIGN_KEY_CHECKS=1;`);
  } finally {
    await conn.end();
  }
}

async function outboxEvents(url: string): Promise<unknown[]> {
  return (await queryDatabase<{ payload: string }>(url, 'SELECT payload FROM event_outbox ORDER BY seq')).map((r) => JSON.parse(r.payload) as unknown);
}

/** The schema as the database reports it, in a form that two databases can be compared by. */
async function schemaOf(url: string): Promise<Record<string, string>> {
  return withDataSource(url, async (ds) => {
    const out: Record<string, string> = {};
    if (ds.options.type === 'better-sqlite3') {
      const rows = await ds.query<Array<{ type: string; name: string; sql: string | null }>>(
        `SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`,
      );
      for (const r of rows) out[`${r.type} ${r.name}`] = (r.sql ?? '').replace(/\s+/g, ' ');
      return out;
    }
    const tables = await ds.query<Array<Record<string, string>>>('SHOW TABLES');
    for (const row of tables) {
      const name = Object.values(row)[0];
      const [create] = await ds.query<Array<{ 'Create Table': string }>>(`SHOW CREATE TABLE \`${name}\``);
      out[name] = create['Create Table'].replace(/ AUTO_INCREMENT=\d+/, '');
    }
    return out;
  });
}

describe.each<Dialect>(['mysql', 'sqlite'])('a database created by the previous stack, on %s', (dialect) => {
  const capture = JSON.parse(readFileSync(join(FIXTURES, `answers-${dialect}.json`), 'utf8')) as LegacyCapture;
  let database: TestDatabase;
  let app: TestApp;
  let migrationsBefore: Array<{ id: number; name: string }>;
  let pendingBefore: Array<{ id: string; payload: string }>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await loadDump(dialect, database);
    migrationsBefore = await queryDatabase(database.url, 'SELECT id, name FROM migrations ORDER BY id');
    pendingBefore = await queryDatabase(database.url, 'SELECT id, payload FROM event_outbox WHERE published_at IS NULL ORDER BY seq');
    app = await startTestApp({ database, env: CAPTURE_ENV });
  });
  afterAll(async () => app?.destroy());

  const base = (url: string) => (url.startsWith('admin:') ? app.adminUrl + url.slice('admin:'.length) : app.publicUrl + url.slice('public:'.length));

  it('migrates forward: no migration runs again, those written since run once, and the schema is the one a fresh database gets', async () => {
    expect(migrationsBefore.length).toBeGreaterThan(0);
    const known = (dialect === 'mysql' ? MYSQL_MIGRATIONS : SQLITE_MIGRATIONS).map((m) => m.name);
    const after = await queryDatabase<{ id: number; name: string }>(database.url, 'SELECT id, name FROM migrations ORDER BY id');
    expect(after.slice(0, migrationsBefore.length)).toEqual(migrationsBefore);
    expect(after.map((m) => m.name)).toEqual(known);
    const fresh = await startTestApp({ dialect });
    try {
      const legacy = await schemaOf(database.url);
      expect(Object.keys(legacy).length).toBeGreaterThan(8);
      expect(legacy).toEqual(await schemaOf(fresh.database.url));
    } finally {
      await fresh.destroy();
    }
  });

  it('answers every recorded read exactly as the previous stack did', async () => {
    expect(capture.answers.length).toBeGreaterThan(15);
    for (const recorded of capture.answers) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (recorded.url === 'public:/sessions/whoami') headers['x-session-token'] = capture.sessionToken;
      const res = await fetch(base(recorded.url), { headers });
      const text = await res.text();
      const answer = {
        url: recorded.url,
        status: res.status,
        headers: Object.fromEntries(Object.keys(recorded.headers).map((h) => [h, res.headers.get(h)])),
        body: text === '' ? null : (JSON.parse(text) as unknown),
      };
      expect(answer).toEqual({ url: recorded.url, status: recorded.status, headers: recorded.headers, body: recorded.body });
    }
  });

  it('publishes the events the previous stack left in the outbox, unchanged', async () => {
    expect(pendingBefore.length).toBeGreaterThan(10);
    const reader = new QueueReader(app.config.events.queue);
    try {
      const events = await reader.waitFor((e) => e.length >= pendingBefore.length);
      const byId = new Map(events.map((e) => [e.id, e]));
      for (const row of pendingBefore) expect(byId.get(row.id)).toEqual(JSON.parse(row.payload));
      expect(events).toHaveLength(pendingBefore.length);
    } finally {
      await reader.close();
    }
  });

  it('signs in the users with the passwords set before, and re-hashes the imported md5 hash', async () => {
    for (const { identifier, password } of capture.logins) {
      const flow = (await (await fetch(`${app.publicUrl}/self-service/login/api`)).json()) as { id: string };
      const res = await fetch(`${app.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ method: 'password', identifier, password }),
      });
      expect({ identifier, status: res.status }).toEqual({ identifier, status: 200 });
    }
    const [grace] = await queryDatabase<{ config: string }>(
      database.url,
      `SELECT c.config FROM identity_credentials c JOIN identity_credential_identifiers i ON i.credential_id = c.id WHERE i.identifier = 'grace@legacy.example.com'`,
    );
    expect(JSON.parse(grace.config).hashed_password).toMatch(/^\$argon2id\$/);
  });

  it('redeems the recovery code minted before', async () => {
    const res = await fetch(`${app.publicUrl}/self-service/recovery?flow=${capture.recovery.flowId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'code', code: capture.recovery.code }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'passed_challenge' });
  });

  it('keeps writing: creates an identity beside the old ones and publishes its event', async () => {
    const res = await fetch(`${app.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email: 'after-upgrade@legacy.example.com' } }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const duplicate = await fetch(`${app.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email: 'ADA@legacy.example.com' } }),
    });
    expect(duplicate.status).toBe(409);
    const reader = new QueueReader(app.config.events.queue);
    try {
      const events = await reader.waitFor((e) => e.some((x) => x.subject === id));
      expect(events.filter((e) => e.subject === id).map((e) => e.type)).toEqual(['identity.created']);
    } finally {
      await reader.close();
    }
  });
});

describe.each<Dialect>(['mysql', 'sqlite'])('the same operations on the previous and the current stack, on %s', (dialect) => {
  const before = JSON.parse(readFileSync(join(FIXTURES, `answers-${dialect}.json`), 'utf8')) as LegacyCapture;
  let app: TestApp;
  let now: LegacyCapture;

  beforeAll(async () => {
    app = await startTestApp({ dialect, env: { ...CAPTURE_ENV, EVENTS_RELAY_ENABLED: 'false' } });
    now = await runCapture(app.publicUrl, app.adminUrl);
  });
  afterAll(async () => app?.destroy());

  it('write the same events', async () => {
    const dump = await createTestDatabase(dialect);
    try {
      await loadDump(dialect, dump);
      const expected = await outboxEvents(dump.url);
      expect(expected.length).toBeGreaterThan(10);
      expect(normalised(await outboxEvents(app.database.url))).toEqual(normalised(expected));
    } finally {
      await dump.drop();
    }
  });

  it('answer the same reads of single resources (lists are ordered by random ids, so they are compared above on one database)', () => {
    const single = (c: LegacyCapture) => c.answers.filter((a) => !/\/admin\/(identities|sessions)(\?|$)|\/schemas$/.test(a.url.replace(/^\w+:/, '')));
    const [was, is] = [single(before), single(now)];
    expect(was.length).toBeGreaterThan(10);
    expect(is.map(normalised)).toEqual(was.map(normalised));
  });
});
