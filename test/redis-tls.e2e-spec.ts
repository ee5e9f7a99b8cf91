import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from './support/free-port';
import { runService, serviceSettings, ServiceProcess } from './support/service-process';
import { QueueReader } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * The service on a Redis that speaks only TLS and wants a password (rediss://:password@host), trusting a private CA
 * through Node's NODE_EXTRA_CA_CERTS, as a pod with a mounted CA bundle would.
 */
describe('events on Redis over TLS with a password', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess;
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  const password = `pw-${randomUUID()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=kratos-nest test CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    );
    port = await freePort();
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        join(dir, 'server.crt'),
        '--tls-key-file',
        join(dir, 'server.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.crt'),
        '--tls-auth-clients',
        'no',
        '--requirepass',
        password,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    database = await createTestDatabase('mysql');
  });
  afterAll(async () => {
    await service?.kill('SIGKILL');
    redis?.kill('SIGKILL');
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every event; a client without the password gets nothing, and the log never shows it', async () => {
    const queue = `tls-events-${randomUUID().slice(0, 8)}`;
    const settings = await serviceSettings(database.url, {
      REDIS_URL: `rediss://:${password}@127.0.0.1:${port}`,
      EVENTS_QUEUE: queue,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt'),
      LOG_LEVEL: 'info',
    });
    service = runService(dir, settings.env);
    await service.waitForOutput(/public API on/);
    const res = await fetch(`${settings.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email: `${randomUUID()}@example.com` } }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const client = new IORedis({ host: '127.0.0.1', port, password, tls: { ca: readFileSync(join(dir, 'ca.crt')) }, maxRetriesPerRequest: 1 });
    const reader = new QueueReader(queue, { connection: client, prefix: 'bull' });
    try {
      const events = await reader.waitFor((e) => e.some((x) => x.subject === id));
      expect(events.map((e) => e.subject)).toContain(id);
    } finally {
      await reader.close();
    }
    const ready = (await (await fetch(`${settings.adminUrl}/health/ready`)).json()) as { redis: string };
    expect(ready.redis).toBe('up');

    // Without the password the server refuses; the service's log never shows it.
    const anonymous = execFileSync('redis-cli', ['--tls', '--cacert', join(dir, 'ca.crt'), '-p', String(port), 'get', 'x'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(anonymous).toMatch(/NOAUTH/);
    expect(service.output()).not.toContain(password);
  });
});
