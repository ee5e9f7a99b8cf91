/*
 * The raw baseline of `npm run bench`: a bare Fastify + mysql2 server that answers the benchmarked routes with the
 * statements the service issues (same tables, same number of round trips, rows mapped by hand), and nothing else:
 * no validation, no logging, no events besides the outbox row, no error envelope. It is what the service would cost
 * if it were only its SQL. Started by scripts/bench/suite.ts as a child process: `node … raw-server.ts <port> <url>`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { verify as argon2Verify } from '@node-rs/argon2';
import Fastify from 'fastify';
import { createPool, RowDataPacket } from 'mysql2/promise';

const [port, databaseUrl] = process.argv.slice(2);
const pool = createPool({ uri: databaseUrl, connectionLimit: 10, dateStrings: false, timezone: 'Z' });
const app = Fastify({ logger: false });

type Row = Record<string, unknown>;
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
const sqlNow = () => new Date().toISOString().slice(0, 23).replace('T', ' ');

async function rows(sql: string, params: unknown[]): Promise<Row[]> {
  const [result] = await pool.query<RowDataPacket[]>(sql, params);
  return result;
}

function byIdentity(list: Row[]): Map<string, Row[]> {
  const map = new Map<string, Row[]>();
  for (const r of list) map.set(r.identity_id as string, [...(map.get(r.identity_id as string) ?? []), r]);
  return map;
}

/** Identities with their addresses (and credentials): the same three follow-up queries as the service's hydrate. */
async function identitiesJson(found: Row[], withCredentials: boolean) {
  if (found.length === 0) return [];
  const ids = found.map((r) => r.id);
  const [addresses, credentials, identifiers] = await Promise.all([
    rows(
      "SELECT 'v' AS kind, id, identity_id, via, value, created_at, updated_at, verified, status, verified_at FROM identity_verifiable_addresses WHERE identity_id IN (?) UNION ALL SELECT 'r' AS kind, id, identity_id, via, value, created_at, updated_at, NULL, NULL, NULL FROM identity_recovery_addresses WHERE identity_id IN (?) ORDER BY kind DESC, created_at, id",
      [ids, ids],
    ),
    withCredentials ? rows('SELECT * FROM identity_credentials WHERE identity_id IN (?)', [ids]) : Promise.resolve([]),
    withCredentials
      ? rows('SELECT * FROM identity_credential_identifiers WHERE identity_id IN (?) ORDER BY created_at, identifier', [ids])
      : Promise.resolve([]),
  ]);
  const v = byIdentity(addresses.filter((a) => a.kind === 'v'));
  const r = byIdentity(addresses.filter((a) => a.kind === 'r'));
  const c = byIdentity(credentials);
  return found.map((i) => ({
    id: i.id,
    ...(withCredentials
      ? {
          credentials: Object.fromEntries(
            (c.get(i.id as string) ?? []).map((cr): [string, unknown] => [
              cr.type as string,
              {
                type: cr.type,
                identifiers: identifiers.filter((x) => x.credential_id === cr.id).map((x) => x.identifier),
                version: cr.version,
                created_at: iso(cr.created_at),
                updated_at: iso(cr.updated_at),
              },
            ]),
          ),
        }
      : {}),
    schema_id: i.schema_id,
    schema_url: `http://127.0.0.1/schemas/${String(i.schema_id)}`,
    state: i.state,
    state_changed_at: iso(i.state_changed_at),
    traits: JSON.parse(i.traits as string) as unknown,
    verifiable_addresses: (v.get(i.id as string) ?? []).map((a) => ({
      id: a.id,
      value: a.value,
      verified: Boolean(a.verified),
      via: a.via,
      status: a.status,
      created_at: iso(a.created_at),
      updated_at: iso(a.updated_at),
    })),
    recovery_addresses: (r.get(i.id as string) ?? []).map((a) => ({
      id: a.id,
      value: a.value,
      via: a.via,
      created_at: iso(a.created_at),
      updated_at: iso(a.updated_at),
    })),
    metadata_public: i.metadata_public ? (JSON.parse(i.metadata_public as string) as unknown) : null,
    metadata_admin: i.metadata_admin ? (JSON.parse(i.metadata_admin as string) as unknown) : null,
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
  }));
}

async function devicesBySession(sessions: Row[]): Promise<Map<string, Row[]>> {
  const map = new Map<string, Row[]>();
  if (sessions.length === 0) return map;
  for (const d of await rows('SELECT * FROM session_devices WHERE session_id IN (?)', [sessions.map((s) => s.id)])) {
    map.set(d.session_id as string, [...(map.get(d.session_id as string) ?? []), d]);
  }
  return map;
}

function sessionJson(session: Row, identityJson: unknown, devices: Row[]) {
  return {
    id: session.id,
    active: Boolean(session.active) && (session.expires_at as Date).getTime() > Date.now(),
    expires_at: iso(session.expires_at),
    authenticated_at: iso(session.authenticated_at),
    authenticator_assurance_level: session.aal,
    authentication_methods: JSON.parse(session.authentication_methods as string) as unknown,
    issued_at: iso(session.issued_at),
    identity: identityJson,
    devices: devices.map((d) => ({ id: d.id, ip_address: d.ip_address, user_agent: d.user_agent, location: d.location ?? '' })),
  };
}

app.get('/health/alive', () => ({ status: 'ok' }));

app.get<{ Params: { id: string } }>('/admin/identities/:id', async (req, reply) => {
  const found = await rows('SELECT * FROM identities WHERE id = ?', [req.params.id]);
  if (found.length === 0) return reply.code(404).send({ error: { code: 404 } });
  return (await identitiesJson(found, true))[0];
});

app.get<{ Querystring: { page_size?: string; page_token?: string } }>('/admin/identities', async (req) => {
  const size = Number(req.query.page_size ?? 250);
  const found = await rows('SELECT * FROM identities WHERE id > ? ORDER BY id LIMIT ?', [
    req.query.page_token ?? '00000000-0000-0000-0000-000000000000',
    size + 1,
  ]);
  return identitiesJson(found.slice(0, size), false);
});

interface CreateBody {
  schema_id: string;
  traits: { email: string };
  credentials?: { password?: { config?: { hashed_password?: string } } };
}

/** The rows of one identity as the service writes them: identity, password credential, addresses, outbox event. */
function identityRows(body: CreateBody) {
  const id = randomUUID();
  const now = sqlNow();
  const email = body.traits.email.toLowerCase();
  const hashed = body.credentials?.password?.config?.hashed_password;
  const credentialId = randomUUID();
  const eventId = randomUUID();
  const event = {
    specversion: '1.0',
    id: eventId,
    source: 'urn:bench:raw',
    type: 'identity.created',
    subject: id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { id, schema_id: body.schema_id, state: 'active', traits: body.traits },
  };
  // As the service: the email is the password identifier even without a password (the credential's config is {}).
  return {
    id,
    identity: [id, body.schema_id, 'active', now, JSON.stringify(body.traits), null, null, now, now],
    credential: [credentialId, id, 'password', JSON.stringify(hashed ? { hashed_password: hashed } : {}), 0, now, now],
    identifier: [randomUUID(), id, credentialId, 'password', email, now, now],
    verifiable: [randomUUID(), id, 'email', email, 0, 'pending', null, now, now],
    recovery: [randomUUID(), id, 'email', email, now, now],
    outbox: [eventId, 'identity.created', id, JSON.stringify(event), now],
  };
}

async function insertIdentities(bodies: CreateBody[]): Promise<string[]> {
  const all = bodies.map(identityRows);
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const insert = async (sql: string, values: unknown[][]) => {
      if (values.length > 0) await conn.query(sql, [values]);
    };
    await insert(
      'INSERT INTO identities (id, schema_id, state, state_changed_at, traits, metadata_public, metadata_admin, created_at, updated_at) VALUES ?',
      all.map((r) => r.identity),
    );
    await insert(
      'INSERT INTO identity_credentials (id, identity_id, type, config, version, created_at, updated_at) VALUES ?',
      all.map((r) => r.credential),
    );
    await insert(
      'INSERT INTO identity_credential_identifiers (id, identity_id, credential_id, type, identifier, created_at, updated_at) VALUES ?',
      all.map((r) => r.identifier),
    );
    await insert(
      'INSERT INTO identity_verifiable_addresses (id, identity_id, via, value, verified, status, verified_at, created_at, updated_at) VALUES ?',
      all.map((r) => r.verifiable),
    );
    await insert(
      'INSERT INTO identity_recovery_addresses (id, identity_id, via, value, created_at, updated_at) VALUES ?',
      all.map((r) => r.recovery),
    );
    await insert(
      'INSERT INTO event_outbox (id, type, subject, payload, created_at) VALUES ?',
      all.map((r) => r.outbox),
    );
    await conn.commit();
    return all.map((r) => r.id);
  } catch (err) {
    await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}

app.post<{ Body: CreateBody }>('/admin/identities', async (req, reply) => {
  const [id] = await insertIdentities([req.body]);
  return reply.code(201).send({ id, schema_id: req.body.schema_id, traits: req.body.traits, state: 'active' });
});

app.patch<{ Body: { identities: Array<{ create: CreateBody }> } }>('/admin/identities', async (req) => {
  const ids = await insertIdentities(req.body.identities.map((i) => i.create));
  return { identities: ids.map((identity) => ({ action: 'create', identity })) };
});

app.get('/sessions/whoami', async (req, reply) => {
  const token = req.headers['x-session-token'];
  const hash = createHash('sha256')
    .update(String(token ?? ''))
    .digest('hex');
  const [session] = await rows('SELECT * FROM sessions WHERE token_hash = ?', [hash]);
  if (!session) return reply.code(401).send({ error: { code: 401 } });
  const found = await rows('SELECT * FROM identities WHERE id = ?', [session.identity_id]);
  const devices = await devicesBySession([session]);
  return sessionJson(session, (await identitiesJson(found, false))[0], devices.get(session.id as string) ?? []);
});

/** Without `expand`, the service loads the session and its devices only (the identity is not embedded). */
app.get<{ Params: { id: string } }>('/admin/sessions/:id', async (req, reply) => {
  const [session] = await rows('SELECT * FROM sessions WHERE id = ?', [req.params.id]);
  if (!session) return reply.code(404).send({ error: { code: 404 } });
  const devices = await devicesBySession([session]);
  return sessionJson(session, null, devices.get(session.id as string) ?? []);
});

app.get<{ Params: { id: string } }>('/admin/identities/:id/sessions', async (req) => {
  const [sessions, [count]] = await Promise.all([
    rows('SELECT * FROM sessions WHERE identity_id = ? ORDER BY created_at DESC, id LIMIT 250 OFFSET 0', [req.params.id]),
    rows('SELECT COUNT(*) AS n FROM sessions WHERE identity_id = ?', [req.params.id]),
  ]);
  const devices = await devicesBySession(sessions);
  const found = await rows('SELECT * FROM identities WHERE id IN (?)', [[req.params.id]]);
  const [identity] = await identitiesJson(found, false);
  void count;
  return sessions.map((s) => sessionJson(s, identity, devices.get(s.id as string) ?? []));
});

/** The hash ceiling: the identifier lookup and one argon2id verification per request, nothing else. */
app.post<{ Body: { identifier: string; password: string } }>('/login', async (req, reply) => {
  const [row] = await rows(
    "SELECT c.config FROM identity_credential_identifiers i JOIN identity_credentials c ON c.id = i.credential_id WHERE i.type = 'password' AND i.identifier = ?",
    [req.body.identifier],
  );
  const hash = row ? (JSON.parse(row.config as string) as { hashed_password: string }).hashed_password : '';
  const ok = hash ? await argon2Verify(hash, req.body.password) : false;
  return reply.code(ok ? 200 : 400).send({ ok });
});

app.listen({ port: Number(port), host: '127.0.0.1' }).then(
  () => process.send?.('ready'),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
