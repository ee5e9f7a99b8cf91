import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { answerProblem, EventLoopWatch, rowCounts, send } from './support/hostile';
import { startTestApp, TestApp } from './support/test-app';

/*
 * Property-based fuzzing of every operation in the committed OpenAPI document, on the port that serves it and on the
 * other one: path and query parameters from a hostile pool, bodies that are valid ones with one part replaced, added
 * or removed, or arbitrary JSON. Whatever is sent, the answer is never a 5xx, every error keeps the envelope (or is a
 * self-service flow with its messages), and a refused write leaves no row and no event behind.
 */

interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Array<{ in: string; name: string }>;
  hasBody: boolean;
}

const document = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ in: string; name: string }>; requestBody?: unknown }>>;
};
const operations: Operation[] = Object.entries(document.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    operationId: op.operationId,
    parameters: op.parameters ?? [],
    hasBody: Boolean(op.requestBody),
  })),
);

const HUGE = 'x'.repeat(70_000);

/** Strings that have hurt services before: long, empty, unicode, traversal, injection, prototype keys, odd numbers. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    'x'.repeat(255),
    'x'.repeat(256),
    'x'.repeat(5000),
    '__proto__',
    'constructor',
    '../../etc/passwd',
    "' OR 1=1 --",
    '%00',
    '\u0000',
    '😀'.repeat(100),
  ),
  fc.constantFrom('2562048h', '-1s', '0', '1e400', 'NaN', '-9223372036854775809', '99999999999999999999', '0000-01-01T00:00:00Z', '99999-12-31T00:00:00Z'),
  fc.uuid(),
  // Well-formed but longer than the columns (an email's domain labels may each have 63 characters).
  fc.constantFrom(
    `${'a'.repeat(64)}@${Array(4).fill('b'.repeat(63)).join('.')}.com`,
    `u@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(60)}.com`,
  ),
);

/** Any JSON value, including the hostile strings, big numbers, nesting and empty containers. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1, 0, Number.MAX_SAFE_INTEGER + 2, true, false, null, [], {}, HUGE),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
);

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]))];
}

function setAt(value: unknown, path: string[], replacement: unknown, mode: 'replace' | 'remove' | 'add'): unknown {
  if (path.length === 0) return mode === 'remove' ? undefined : replacement;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  const [head, ...rest] = path;
  if (rest.length === 0 && mode === 'remove') delete copy[head];
  else if (rest.length === 0 && mode === 'add') copy[`${head}_extra`] = replacement;
  else copy[head] = setAt(copy[head], rest, replacement, mode);
  return copy;
}

/** A valid body with one member replaced, removed or joined by an unknown one; or any JSON at all. */
function mutatedBody(valid: unknown): fc.Arbitrary<unknown> {
  const paths = leafPaths(valid);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), hostileValue, fc.constantFrom<'replace' | 'remove' | 'add'>('replace', 'remove', 'add'))
        .map(([p, v, m]) => setAt(valid, p, v, m)),
    },
    { weight: 1, arbitrary: hostileValue },
  );
}

/** The operations with a valid body to start from (built in beforeEach, against real resources). */
const validBodyNames = [
  'createIdentity',
  'updateIdentity',
  'patchIdentity',
  'batchPatchIdentities',
  'createRecoveryLinkForIdentity',
  'createRecoveryCodeForIdentity',
  'updateRecoveryFlow',
  'updateLoginFlow',
  'updateRegistrationFlow',
  'updateSettingsFlow',
  'performNativeLogout',
];

/** Every member of a valid body is also replaced, in turn, by each of these (a sweep, on top of the random runs). */
const SWEEP: unknown[] = [
  '',
  'x'.repeat(256),
  HUGE,
  `${'a'.repeat(64)}@${Array(4).fill('b'.repeat(63)).join('.')}.com`,
  null,
  [],
  {},
  [{}],
  1e308,
  -1,
  true,
  '2562048h',
  '0000-01-01T00:00:00Z',
  '__proto__',
];

describe('fuzzing every operation of the OpenAPI document (MariaDB)', () => {
  let app: TestApp;
  let dataSource: DataSource;
  const realIds: Record<string, string> = {};
  let sessionToken = '';
  const validBodies: Record<string, unknown> = {};

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql', env: { LOGIN_THROTTLE_PER_IDENTIFIER: '1000', LOGIN_THROTTLE_PER_ADDRESS: '100000' } });
    dataSource = app.app.get(DataSource);
  });
  afterAll(async () => app?.destroy());

  /** Fresh real resources for each operation (an earlier operation may have deleted or spent them). */
  beforeEach(async () => {
    await dataSource.query('DELETE FROM identities');
    const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const identity = JSON.parse(
      (
        await send(
          `${app.adminUrl}/admin/identities`,
          json({ schema_id: 'default', traits: { email: 'fuzz@example.com' }, credentials: { password: { config: { password: 'fuzz-password-123' } } } }),
        )
      ).text,
    );
    const login = JSON.parse((await send(`${app.publicUrl}/self-service/login/api`)).text);
    const signedIn = JSON.parse(
      (
        await send(
          `${app.publicUrl}/self-service/login?flow=${login.id}`,
          json({ method: 'password', identifier: 'fuzz@example.com', password: 'fuzz-password-123' }),
        )
      ).text,
    );
    sessionToken = signedIn.session_token;
    const settings = JSON.parse((await send(`${app.publicUrl}/self-service/settings/api`, { headers: { 'x-session-token': sessionToken } })).text);
    const registration = JSON.parse((await send(`${app.publicUrl}/self-service/registration/api`)).text);
    const code = JSON.parse((await send(`${app.adminUrl}/admin/recovery/code`, json({ identity_id: identity.id }))).text);
    Object.assign(realIds, {
      identity: identity.id,
      session: signedIn.session.id,
      login: login.id,
      registration: registration.id,
      settings: settings.id,
      recovery: new URL(code.recovery_link).searchParams.get('flow')!,
    });
    const traits = { email: 'fuzz-new@example.com' };
    Object.assign(validBodies, {
      createIdentity: {
        schema_id: 'default',
        traits,
        state: 'active',
        metadata_public: { a: 1 },
        metadata_admin: null,
        credentials: {
          password: { config: { hashed_password: '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq' } },
          oidc: { config: { providers: [{ provider: 'github', subject: '42' }] } },
        },
        verifiable_addresses: [{ value: traits.email, via: 'email', verified: true, status: 'completed', verified_at: '2026-01-01T00:00:00Z' }],
        recovery_addresses: [{ value: traits.email, via: 'email' }],
      },
      updateIdentity: { schema_id: 'default', traits: { email: 'fuzz@example.com' }, state: 'active', metadata_public: { b: 2 } },
      patchIdentity: [
        { op: 'replace', path: '/metadata_public', value: { c: 3 } },
        { op: 'add', path: '/traits/email', value: 'fuzz@example.com' },
      ],
      batchPatchIdentities: {
        identities: [{ create: { schema_id: 'default', traits: { email: 'fuzz-batch@example.com' } }, patch_id: '00000000-0000-4000-8000-000000000001' }],
      },
      createRecoveryLinkForIdentity: { identity_id: identity.id, expires_in: '1h' },
      createRecoveryCodeForIdentity: { identity_id: identity.id, expires_in: '15m' },
      updateRecoveryFlow: { method: 'code', code: '123456' },
      updateLoginFlow: { method: 'password', identifier: 'fuzz@example.com', password: 'wrong-password' },
      updateRegistrationFlow: { method: 'password', traits: { email: 'fuzz-reg@example.com' }, password: 'a-good-password-123' },
      updateSettingsFlow: { method: 'password', password: 'another-password-456' },
      performNativeLogout: { session_token: 'ory_st_unknown' },
    });
  });

  /** A value for a path or query parameter: often one of the real ids (to get past the lookups), otherwise hostile. */
  const parameter = (where: string, name: string) =>
    fc.oneof(
      { weight: where === 'path' ? 4 : 2, arbitrary: fc.constantFrom(...Object.values(realIds)) },
      { weight: 3, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constant(name === 'type' ? 'password' : 'default') },
    );
  /** Mostly JSON; sometimes another content type, or a body that is not JSON at all. */
  const encoding = fc.oneof(
    { weight: 6, arbitrary: fc.constant({ type: 'application/json', raw: undefined as string | undefined }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '')
        .map((type) => ({ type, raw: undefined })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{"traits": ', '[[[[', '\u0000', '{"a":1}{"b":2}', '{"__proto__":{"x":1}}').map((raw) => ({ type: 'application/json', raw })),
    },
  );

  /** Sends one request and records what is wrong with its answer, or with what it left in the database. */
  async function check(op: Operation, url: string, init: RequestInit, problems: string[], label: string): Promise<void> {
    const before = op.method === 'GET' ? undefined : await rowCounts(dataSource);
    const answer = await send(url, init);
    const problem = answerProblem(answer);
    if (problem) problems.push(`${op.method} ${url.slice(0, 200)} ${label.slice(0, 300)} → ${problem}`);
    if (before && answer.status >= 400) {
      const after = await rowCounts(dataSource);
      if (JSON.stringify(after) !== JSON.stringify(before))
        problems.push(
          `${op.method} ${url.slice(0, 200)} ${label.slice(0, 300)} answered ${answer.status} but changed ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
        );
    }
  }

  const withRealIds = (op: Operation) =>
    op.path.replace('{id}', realIds[op.path.startsWith('/admin/sessions') ? 'session' : 'identity']).replace('{type}', 'password');
  const sweepable = operations.filter((o) => o.hasBody && validBodyNames.includes(o.operationId));

  it.each(sweepable.map((o) => [`${o.method} ${o.path}`, o] as const))('sweeps every member of a valid %s body', async (_name, op) => {
    const valid = validBodies[op.operationId];
    const problems: string[] = [];
    const flowParam = op.path.startsWith('/self-service/') ? `?flow=${realIds[op.path.split('/')[2]] ?? ''}` : '';
    const base = op.path.startsWith('/admin') ? app.adminUrl : app.publicUrl;
    for (const path of leafPaths(valid).filter((p) => p.length > 0)) {
      for (const value of SWEEP) {
        for (const mode of ['replace', 'add'] as const) {
          const payload = setAt(valid, path, value, mode);
          await check(
            op,
            `${base}${withRealIds(op)}${flowParam}`,
            {
              method: op.method,
              headers: { 'content-type': 'application/json', 'x-session-token': sessionToken },
              body: JSON.stringify(payload),
            },
            problems,
            `${mode} ${path.join('.')} = ${JSON.stringify(value)?.slice(0, 60)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))('%s', async (_name, op) => {
    const watch = new EventLoopWatch().start();
    const params = Object.fromEntries(
      op.parameters
        .filter((p) => p.in !== 'header')
        .map((p) => [`${p.in}:${p.name}`, fc.option(parameter(p.in, p.name), { nil: undefined, freq: p.in === 'path' ? 20 : 3 })]),
    );
    const body = op.hasBody ? mutatedBody(validBodies[op.operationId] ?? {}) : fc.constant(undefined);
    const problems: string[] = [];
    await fc
      .assert(
        fc.asyncProperty(
          fc.record(params),
          body,
          encoding,
          fc.integer({ min: 0, max: 4 }),
          fc.boolean(),
          async (values, payload, { type, raw }, port, withToken) => {
            const otherPort = port === 0;
            let path = op.path;
            const query = new URLSearchParams();
            for (const [key, value] of Object.entries(values)) {
              const [where, name] = key.split(':');
              if (where === 'path') path = path.replace(`{${name}}`, encodeURIComponent(String(value ?? '')));
              else if (value !== undefined) query.append(name, String(value));
            }
            path = path.replace(/\{\w+\}/g, 'missing');
            const admin = path.startsWith('/admin');
            const base = admin !== otherPort ? app.adminUrl : app.publicUrl;
            const url = `${base}${path}${query.size > 0 ? `?${query.toString()}` : ''}`;
            const init: RequestInit = {
              method: op.method,
              headers: { ...(type ? { 'content-type': type } : {}), ...(withToken ? { 'x-session-token': sessionToken } : {}) },
              ...(!op.hasBody ? {} : raw !== undefined ? { body: raw } : payload === undefined ? {} : { body: JSON.stringify(payload) }),
            };
            await check(op, url, init, problems, raw ?? JSON.stringify(payload) ?? '');
            return problems.length === 0;
          },
        ),
        { numRuns: Number(process.env.FUZZ_RUNS ?? (op.hasBody ? 80 : 40)), seed: Number(process.env.FUZZ_SEED ?? Date.now() % 100_000), endOnFailure: true },
      )
      .catch((err: unknown) =>
        problems.push(
          String((err as Error).message)
            .split('\n')
            .slice(0, 3)
            .join(' '),
        ),
      );
    expect(problems).toEqual([]);
    expect(watch.stop()).toBeLessThan(500);
  });
});
