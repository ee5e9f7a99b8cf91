import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { startTestApp, TestApp } from './support/test-app';

const bundled = JSON.parse(readFileSync(join(__dirname, '..', 'src', 'schema', 'bundled', 'quickstart-email-password.schema.json'), 'utf8')) as unknown;

describe('HTTP surface: ports, schemas, errors, health (MariaDB)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'mysql', env: { BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(async () => app?.destroy());

  it('answers /health/alive and /health/ready on both ports', async () => {
    for (const base of [app.publicUrl, app.adminUrl]) {
      const alive = await fetch(`${base}/health/alive`);
      expect(alive.status).toBe(200);
      expect(await alive.json()).toEqual({ status: 'ok' });
    }
    // Operators' details on the admin port only; the public port says whether the service is ready, nothing more.
    const admin = await fetch(`${app.adminUrl}/health/ready`);
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ status: 'ok', database: 'ok', redis: expect.stringMatching(/up|down/), relay: expect.any(Object) });
    const pub = await fetch(`${app.publicUrl}/health/ready`);
    expect(pub.status).toBe(200);
    expect(await pub.json()).toEqual({ status: 'ok' });
  });

  it('serves /version', async () => {
    const res = await fetch(`${app.adminUrl}/version`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: expect.any(String) });
  });

  it('serves the bundled default schema JSON-equal, by id and by base64url id, on both ports', async () => {
    for (const base of [app.publicUrl, app.adminUrl]) {
      for (const id of ['default', 'ZGVmYXVsdA']) {
        const res = await fetch(`${base}/schemas/${id}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(await res.text())).toEqual(bundled);
      }
    }
  });

  it('lists schemas as [{id, schema}] with X-Total-Count and Link', async () => {
    const res = await fetch(`${app.publicUrl}/schemas`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ id: 'default', schema: bundled }]);
    expect(res.headers.get('x-total-count')).toBe('1');
    expect(res.headers.get('link')).toBe(`<${app.config.http.publicBaseUrl}/schemas?page=0&per_page=1>; rel="first"`);
  });

  it('paginates the schema list like Kratos (0-based page)', async () => {
    const res = await fetch(`${app.publicUrl}/schemas?page=1&per_page=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('1');
  });

  it('answers an unknown schema with the 404 envelope and echoes X-Request-ID', async () => {
    const res = await fetch(`${app.publicUrl}/schemas/unknown`, { headers: { 'X-Request-ID': 'req-123' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: 404,
        status: 'Not Found',
        request: 'req-123',
        reason: 'Identity schema `unknown` could not be found.',
        message: 'The requested resource could not be found',
      },
    });
  });

  it('answers an unknown route with the 404 envelope', async () => {
    const res = await fetch(`${app.adminUrl}/no/such/route`, { headers: { 'X-Request-ID': 'abc' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 404, status: 'Not Found', request: 'abc', message: 'The requested resource could not be found' },
    });
  });

  it('does not serve /admin/* nor the API docs on the public port', async () => {
    for (const path of ['/admin/identities', '/admin/schemas', '/openapi.json', '/docs']) {
      const res = await fetch(`${app.publicUrl}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 404 } });
    }
  });

  it('does not serve self-service routes on the admin port', async () => {
    const res = await fetch(`${app.adminUrl}/sessions/whoami`);
    expect(res.status).toBe(404);
  });

  it('serves the OpenAPI document and its UI on the admin port', async () => {
    const doc = await fetch(`${app.adminUrl}/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toMatch(/^3\./);
    expect(body.paths['/schemas/{id}']).toBeDefined();
    const ui = await fetch(`${app.adminUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('answers malformed JSON with a 400 envelope', async () => {
    const res = await fetch(`${app.adminUrl}/schemas`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad-json' },
      body: '{"traits": ',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; request: string; reason: string } };
    expect(body.error).toMatchObject({ code: 400, status: 'Bad Request', request: 'bad-json' });
    expect(body.error.reason).toMatch(/JSON/);
  });

  it('answers URLs that the router refuses (malformed percent-encoding, over-long parameter) with the envelope', async () => {
    const malformed = await fetch(`${app.adminUrl}/admin/identities/%E0%A4%A`, { headers: { 'x-request-id': 'bad-url' } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await malformed.json()).toMatchObject({ error: { code: 400, status: 'Bad Request', request: 'bad-url' } });
    // An absurdly long id is an unknown id; only a URL over the limit is a 414.
    const longId = await fetch(`${app.adminUrl}/admin/identities/${'a'.repeat(5000)}`);
    expect(longId.status).toBe(404);
    expect(await longId.json()).toMatchObject({ error: { code: 404, status: 'Not Found' } });
    const longUrl = await fetch(`${app.adminUrl}/admin/identities?page_token=${'a'.repeat(40_000)}`);
    expect(longUrl.status).toBe(414);
    expect(await longUrl.json()).toMatchObject({ error: { code: 414, status: 'Request URI Too Long' } });
  });

  it('answers a body over the limit with a 413 envelope', async () => {
    const res = await fetch(`${app.adminUrl}/schemas`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(4096) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 413, status: 'Request Entity Too Large' } });
  });
});

describe('admin API keys', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite', env: { ADMIN_API_KEYS: 'key-one, key-two' } });
  });
  afterAll(async () => app?.destroy());

  it('refuses /admin/* without a valid key and lets a valid one through', async () => {
    const none = await fetch(`${app.adminUrl}/admin/anything`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 401, status: 'Unauthorized' } });
    const wrong = await fetch(`${app.adminUrl}/admin/anything`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${app.adminUrl}/admin/anything`, { headers: { authorization: 'Bearer key-two' } });
    expect(right.status).toBe(404); // authorised, and no such route
  });

  it('cannot be bypassed with a percent-encoded path', async () => {
    for (const path of ['/%61dmin/identities', '/%61%64%6d%69%6e/identities', '/%71ueues']) {
      expect((await fetch(`${app.adminUrl}${path}`)).status).toBe(401);
      expect((await fetch(`${app.publicUrl}${path}`)).status).toBe(404);
    }
  });

  it('keeps the API document, its UI and the metrics behind the key', async () => {
    for (const path of ['/openapi.json', '/openapi.yaml', '/docs', '/docs/', '/metrics', '/queues']) {
      const none = await fetch(`${app.adminUrl}${path}`, { redirect: 'manual' });
      expect({ path, status: none.status }).toEqual({ path, status: 401 });
      const keyed = await fetch(`${app.adminUrl}${path}`, { headers: { authorization: 'Bearer key-one' }, redirect: 'manual' });
      expect({ path, ok: keyed.status < 400 }).toEqual({ path, ok: true });
    }
  });

  it('keeps schemas and health open', async () => {
    expect((await fetch(`${app.adminUrl}/schemas/default`)).status).toBe(200);
    expect((await fetch(`${app.adminUrl}/health/ready`)).status).toBe(200);
  });
});

describe('one port for both surfaces', () => {
  let app: TestApp;

  beforeAll(async () => {
    const port = String(await freePort());
    app = await startTestApp({ dialect: 'sqlite', env: { PUBLIC_PORT: port, ADMIN_PORT: port } });
  });
  afterAll(async () => app?.destroy());

  it('serves admin docs and schemas on the same port', async () => {
    expect(app.publicUrl).toBe(app.adminUrl);
    expect((await fetch(`${app.publicUrl}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${app.publicUrl}/schemas/default`)).status).toBe(200);
  });
});
