import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { answerProblem, EventLoopWatch, probeWhile, rowCounts, send } from './support/hostile';
import { startTestApp, TestApp } from './support/test-app';

/*
 * The requests an attacker sends first, each against its class's shared defence: costly inputs are bounded before
 * the work, values that do not fit are a 400 naming the field, errors raised before the application keep the
 * envelope, and tokens are not cached. Every refusal leaves no row and no event behind, and the event loop keeps
 * answering other clients meanwhile.
 */

/** How long a health probe may wait behind a hostile request; the work itself takes a few milliseconds. */
const PROBE_BOUND_MS = 300;

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const usernameSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email', 'ory.sh/kratos': { credentials: { password: { identifier: true } }, verification: { via: 'email' } } },
        username: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifier: true } } } },
      },
    },
  },
};

/** Sends raw bytes and returns everything the server wrote before it closed the connection (or the time ran out). */
function raw(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, ms: performance.now() - started });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

/** The status and envelope of a raw HTTP answer. */
function parseRaw(text: string): { status: number; body: { error?: { code: number; status: string } } | undefined; headers: string } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  let body;
  try {
    body = JSON.parse(rest.join('\r\n\r\n'));
  } catch {
    body = undefined;
  }
  return { status, body, headers: head.toLowerCase() };
}

describe('hostile requests (MariaDB)', () => {
  let app: TestApp;
  let dataSource: DataSource;
  let ports: Array<{ name: string; port: number }>;

  beforeAll(async () => {
    app = await startTestApp({
      dialect: 'mysql',
      env: {
        HTTP_REQUEST_TIMEOUT: '1s',
        IDENTITY_SCHEMAS: JSON.stringify([
          { id: 'default', url: `file://${require.resolve('../src/schema/bundled/quickstart-email-password.schema.json')}` },
          { id: 'username', url: `base64://${Buffer.from(JSON.stringify(usernameSchema)).toString('base64')}` },
        ]),
      },
    });
    dataSource = app.app.get(DataSource);
    ports = [
      { name: 'public', port: Number(new URL(app.publicUrl).port) },
      { name: 'admin', port: Number(new URL(app.adminUrl).port) },
    ];
  });
  afterAll(async () => app?.destroy());

  /** Sends a request that must be refused: checks its answer, that nothing changed, and that others were not kept waiting. */
  async function refused(url: string, init: RequestInit | undefined, status: number, reason?: RegExp): Promise<{ error: { reason?: string } }> {
    const before = await rowCounts(dataSource);
    const watch = new EventLoopWatch().start();
    const { result: answer, probeMs } = await probeWhile(`${app.publicUrl}/health/alive`, () => send(url, init));
    const stall = watch.stop();
    expect({ url: url.slice(0, 120), status: answer.status, problem: answerProblem(answer) }).toEqual({ url: url.slice(0, 120), status, problem: undefined });
    const body = JSON.parse(answer.text) as { error: { reason?: string } };
    if (reason) expect(body.error.reason ?? JSON.stringify(body)).toMatch(reason);
    expect(await rowCounts(dataSource)).toEqual(before);
    expect({ probeMs: probeMs < PROBE_BOUND_MS, stall: stall < PROBE_BOUND_MS }).toEqual({ probeMs: true, stall: true });
    return body;
  }

  describe('bounded work per request', () => {
    it('refuses a 50 000-character email with a 4 KB password at registration at once', async () => {
      const flow = JSON.parse((await send(`${app.publicUrl}/self-service/registration/api`)).text) as { id: string };
      const body = await refused(
        `${app.publicUrl}/self-service/registration?flow=${flow.id}`,
        json({ method: 'password', traits: { email: `${'a'.repeat(50_000)}@example.com` }, password: 'p'.repeat(4096) }),
        400,
      );
      expect(JSON.stringify(body)).toContain('4000040'); // Kratos's "Enter a valid email address"
    });

    it('checks the longest email it accepts against the longest password quickly', async () => {
      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`; // 254 characters
      expect(email.length).toBe(254);
      const flow = JSON.parse((await send(`${app.publicUrl}/self-service/registration/api`)).text) as { id: string };
      const { result, probeMs } = await probeWhile(`${app.publicUrl}/health/alive`, () =>
        send(
          `${app.publicUrl}/self-service/registration?flow=${flow.id}`,
          json({ method: 'password', traits: { email }, password: `${email}${'x'.repeat(100)}` }),
        ),
      );
      expect(result.status).toBe(400); // too similar to the identifier
      expect(result.text).toContain('4000031');
      expect(probeMs).toBeLessThan(PROBE_BOUND_MS);
    });

    it('signs nobody in with a 50 000-character identifier, and looks nothing up', async () => {
      const flow = JSON.parse((await send(`${app.publicUrl}/self-service/login/api`)).text) as { id: string };
      await refused(
        `${app.publicUrl}/self-service/login?flow=${flow.id}`,
        json({ method: 'password', identifier: 'i'.repeat(50_000), password: 'p'.repeat(4096) }),
        400,
      );
    });

    it.each([
      ['admin', '/admin/identities'],
      ['public', '/self-service/login?flow=00000000-0000-4000-8000-000000000000'],
    ])('refuses a body nested 100 000 levels deep on the %s port before parsing it', async (port, path) => {
      const base = port === 'admin' ? app.adminUrl : app.publicUrl;
      await refused(`${base}${path}`, json(`{"traits":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 400, /nested deeper than 64 levels/);
      await refused(`${base}${path}`, json(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`), 400, /nested deeper than 64 levels/);
    });

    it('refuses a body with more values than the limit', async () => {
      await refused(
        `${app.adminUrl}/admin/identities`,
        json({ schema_id: 'default', traits: { email: 'many@example.com' }, metadata_public: Array(250_000).fill(0) }),
        400,
        /more than 200000 values/,
      );
    });

    it('limits bodies on the public port to PUBLIC_BODY_LIMIT_BYTES, declared or streamed', async () => {
      const big = JSON.stringify({ method: 'password', identifier: 'x', password: 'p'.repeat(300 * 1024) });
      await refused(`${app.publicUrl}/self-service/login?flow=00000000-0000-4000-8000-000000000000`, json(big), 413);
      // Without a Content-Length (chunked), counted while it arrives.
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"a":"' : 'x'.repeat(10_000)));
          controller.close();
        },
      });
      const res = await fetch(`${app.publicUrl}/self-service/login?flow=00000000-0000-4000-8000-000000000000`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunks,
        duplex: 'half',
      });
      expect(res.status).toBe(413);
      expect(answerProblem({ status: res.status, headers: res.headers, text: await res.text() })).toBeUndefined();
    });
  });

  describe('no 5xx from input: values that do not fit are a 400 naming the field', () => {
    const create = (body: Record<string, unknown>) => json({ schema_id: 'default', ...body });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['an email over 254 characters', { traits: { email: `${'a'.repeat(64)}@${'b'.repeat(250)}.com` } }, /I\[#\/traits\/email\]/],
      [
        'a username over its column',
        { schema_id: 'username', traits: { email: 'u1@example.com', username: 'u'.repeat(256) } },
        /I\[#\/traits\/username\].*length must be <= 255, but got 256/,
      ],
      [
        'an over-long address status',
        { traits: { email: 's@example.com' }, verifiable_addresses: [{ value: 's@example.com', via: 'email', status: 'x'.repeat(100) }] },
        /verifiable_addresses\.0\.status/,
      ],
      [
        'a date beyond the year 9999',
        {
          traits: { email: 'd@example.com' },
          verifiable_addresses: [{ value: 'd@example.com', via: 'email', verified: true, verified_at: '+010000-01-01T00:00:00Z' }],
        },
        /verifiable_addresses\.0\.verified_at/,
      ],
      [
        'a date before the year 1000',
        {
          traits: { email: 'd0@example.com' },
          verifiable_addresses: [{ value: 'd0@example.com', via: 'email', verified: true, verified_at: '0001-01-01T00:00:00Z' }],
        },
        /verifiable_addresses\.0\.verified_at/,
      ],
      [
        'an OIDC provider:subject over its column',
        { traits: { email: 'o@example.com' }, credentials: { oidc: { config: { providers: [{ provider: 'github', subject: 's'.repeat(250) }] } } } },
        /credentials\.oidc\.config\.providers\.0/,
      ],
      ['credentials.oidc as an array', { traits: { email: 'o2@example.com' }, credentials: { oidc: [] } }, /credentials\.oidc must be an object/],
      [
        'credentials.password as an array',
        { traits: { email: 'o3@example.com' }, credentials: { password: [{ config: {} }] } },
        /credentials\.password must be an object/,
      ],
      ['addresses that are not objects', { traits: { email: 'o4@example.com' }, verifiable_addresses: ['o4@example.com'] }, /verifiable_addresses/],
    ])('%s', async (_name, body, reason) => {
      await refused(`${app.adminUrl}/admin/identities`, create(body), 400, reason);
    });

    it('refuses a JSON Patch of the whole identity (path "")', async () => {
      const id = (JSON.parse((await send(`${app.adminUrl}/admin/identities`, create({ traits: { email: 'patch-root@example.com' } }))).text) as { id: string })
        .id;
      for (const op of [
        { op: 'replace', path: '', value: {} },
        { op: 'remove', path: '' },
        { op: 'add', path: 'traits', value: {} },
      ]) {
        await refused(
          `${app.adminUrl}/admin/identities/${id}`,
          { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify([op]) },
          400,
        );
      }
    });

    it("refuses an expires_in beyond Go's longest duration", async () => {
      const id = (JSON.parse((await send(`${app.adminUrl}/admin/identities`, create({ traits: { email: 'go-duration@example.com' } }))).text) as { id: string })
        .id;
      for (const path of ['/admin/recovery/code', '/admin/recovery/link']) {
        await refused(`${app.adminUrl}${path}`, json({ identity_id: id, expires_in: '2562048h' }), 400, /expires_in/);
        await refused(`${app.adminUrl}${path}`, json({ identity_id: id, expires_in: '99999999999999999999h' }), 400, /expires_in/);
      }
    });

    it('treats an absurdly long id as any unknown id', async () => {
      for (const url of [
        'admin:/admin/identities/',
        'admin:/admin/sessions/',
        'public:/schemas/',
        'public:/self-service/login/flows?id=',
        'public:/self-service/recovery/flows?id=',
      ]) {
        const [port, path] = url.split(':');
        const base = port === 'admin' ? app.adminUrl : app.publicUrl;
        const short = await send(`${base}${path}not-an-id`);
        expect(short.status).toBeGreaterThanOrEqual(400);
        await refused(`${base}${path}${'a'.repeat(20_000)}`, undefined, short.status);
      }
    });

    it('cuts over-long device headers (they are informational) and signs in', async () => {
      await send(
        `${app.adminUrl}/admin/identities`,
        create({ traits: { email: 'device@example.com' }, credentials: { password: { config: { password: 'device-password-123' } } } }),
      );
      const flow = JSON.parse((await send(`${app.publicUrl}/self-service/login/api`)).text) as { id: string };
      const answer = await send(
        `${app.publicUrl}/self-service/login?flow=${flow.id}`,
        json(
          { method: 'password', identifier: 'device@example.com', password: 'device-password-123' },
          { 'user-agent': 'u'.repeat(10_000), 'cf-ipcity': 'c'.repeat(10_000), 'x-forwarded-for': 'not-an-address, '.repeat(500) },
        ),
      );
      expect(answer.status).toBe(200);
      const session = (JSON.parse(answer.text) as { session: { id: string } }).session;
      const stored = JSON.parse((await send(`${app.adminUrl}/admin/sessions/${session.id}?expand=devices`)).text) as {
        devices: Array<{ user_agent: string; location: string; ip_address: string }>;
      };
      expect(stored.devices[0].user_agent).toHaveLength(512);
      // Without TRUST_PROXY, neither Cloudflare's headers nor X-Forwarded-For are believed.
      expect(stored.devices[0].location).toBe('');
      expect(stored.devices[0].ip_address).toBe('127.0.0.1');
    });
  });

  describe('one envelope for every error, also before the application runs', () => {
    const request = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;

    it.each<[string, string | Buffer, number]>([
      ['malformed percent-encoding in the path', request('/admin/identities/%E0%A4%A'), 400],
      ['a URL over 32 KiB', request(`/schemas?page=${'1'.repeat(40_000)}`), 414],
      ['request headers over 64 KiB', request('/health/alive', `X-Big: ${'b'.repeat(70_000)}\r\n`), 431],
      ['a header line without a colon', request('/health/alive', 'Not a header line\r\n'), 400],
      ['a control character in a header value', request('/health/alive', 'X-Evil: a\u0001b\r\n'), 400],
      ['an unknown HTTP version', 'GET /health/alive HTTP/9.9\r\nHost: x\r\n\r\n', 400],
      [
        'both Content-Length and Transfer-Encoding',
        'POST /health/alive HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
      ],
      ['a malformed chunk', 'POST /health/alive HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ])('%s', async (_name, bytes, status) => {
      for (const { name, port } of ports) {
        const answer = await raw(port, bytes);
        const parsed = parseRaw(answer.text);
        expect({ port: name, status: parsed.status, code: parsed.body?.error?.code }).toEqual({ port: name, status, code: status });
        expect(parsed.headers).toContain('content-type: application/json');
      }
    });

    it('answers a body shorter than its Content-Length with 408 after HTTP_REQUEST_TIMEOUT, not minutes later', async () => {
      for (const { name, port } of ports) {
        const path = name === 'admin' ? '/admin/identities' : '/self-service/login?flow=00000000-0000-4000-8000-000000000000';
        const answer = await raw(port, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"traits":`, 8_000);
        const parsed = parseRaw(answer.text);
        expect({ port: name, status: parsed.status, code: parsed.body?.error?.code, closed: answer.closed }).toEqual({
          port: name,
          status: 408,
          code: 408,
          closed: true,
        });
        expect(answer.ms).toBeLessThan(4_000);
      }
    });

    it('closes a connection that does not speak HTTP', async () => {
      const tlsHello = Buffer.from('16030100a5010000a10303', 'hex');
      for (const { port } of ports) {
        const answer = await raw(port, Buffer.concat([tlsHello, Buffer.alloc(200, 1)]));
        expect(answer.closed).toBe(true);
        if (answer.text) expect(parseRaw(answer.text).status).toBe(400);
      }
    });

    it('ignores the body of a content type the API does not read, and answers with the envelope', async () => {
      await refused(`${app.adminUrl}/admin/identities`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'schema_id=default' }, 400);
      await refused(`${app.adminUrl}/admin/identities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}{"b":2}' }, 400);
    });
  });

  describe('headers that protect tokens', () => {
    it('marks every answer of the public port, tokens and errors alike, as not to be stored', async () => {
      await send(
        `${app.adminUrl}/admin/identities`,
        json({ schema_id: 'default', traits: { email: 'cache@example.com' }, credentials: { password: { config: { password: 'cache-password-123' } } } }),
      );
      const flow = JSON.parse((await send(`${app.publicUrl}/self-service/login/api`)).text) as { id: string };
      const answers = [
        await send(
          `${app.publicUrl}/self-service/login?flow=${flow.id}`,
          json({ method: 'password', identifier: 'cache@example.com', password: 'cache-password-123' }),
        ),
        await send(`${app.publicUrl}/self-service/registration/api`),
        await send(`${app.publicUrl}/sessions/whoami`),
        await send(`${app.publicUrl}/schemas/default`),
        await send(`${app.publicUrl}/health/alive`),
        await send(`${app.publicUrl}/no/such/route`),
      ];
      expect(JSON.parse(answers[0].text)).toHaveProperty('session_token');
      for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('private, no-cache, no-store, must-revalidate');
    });
  });
});

describe('behind a trusted proxy (TRUST_PROXY=true)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite', env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => app?.destroy());

  it('takes the address from X-Forwarded-For and the location from Cloudflare, cut to their columns', async () => {
    await send(
      `${app.adminUrl}/admin/identities`,
      json({ schema_id: 'default', traits: { email: 'proxy@example.com' }, credentials: { password: { config: { password: 'proxy-password-123' } } } }),
    );
    const flow = JSON.parse((await send(`${app.publicUrl}/self-service/login/api`)).text) as { id: string };
    const answer = await send(
      `${app.publicUrl}/self-service/login?flow=${flow.id}`,
      json(
        { method: 'password', identifier: 'proxy@example.com', password: 'proxy-password-123' },
        { 'cf-ipcity': 'Berlin', 'cf-ipcountry': 'DE', 'x-forwarded-for': '203.0.113.7' },
      ),
    );
    const session = (JSON.parse(answer.text) as { session: { id: string } }).session;
    const stored = JSON.parse((await send(`${app.adminUrl}/admin/sessions/${session.id}?expand=devices`)).text) as {
      devices: Array<{ location: string; ip_address: string }>;
    };
    expect(stored.devices[0]).toMatchObject({ location: 'Berlin, DE', ip_address: '203.0.113.7' });
    const long = await send(
      `${app.publicUrl}/self-service/login?flow=${(JSON.parse((await send(`${app.publicUrl}/self-service/login/api`)).text) as { id: string }).id}`,
      json(
        { method: 'password', identifier: 'proxy@example.com', password: 'proxy-password-123' },
        { 'cf-ipcity': 'c'.repeat(1000), 'x-forwarded-for': 'x'.repeat(1000) },
      ),
    );
    expect(long.status).toBe(200);
  });
});
