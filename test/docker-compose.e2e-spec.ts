import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_SETTING_NAMES, loadConfig } from '../src/config/app-config';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService & { ports?: string[] }>;
  volumes: Record<string, unknown>;
};
const { kratos, mysql, redis } = compose.services;

/** The secrets compose takes from .env, filled in as an operator would. */
const secrets: Record<string, string> = Object.fromEntries(
  readFileSync(join(root, '.env.example'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.split('=')[0], randomBytes(24).toString('hex')]),
);

/** Compose's interpolation of `${NAME}` and `${NAME:?message}` from the .env values; a missing one fails. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_m, name: string) => {
    if (!(name in secrets)) throw new Error(`${name} is interpolated but not in .env.example`);
    return secrets[name];
  });
}

const env = (service: ComposeService) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

describe('docker-compose.yml (parsed; no Docker engine here to run it)', () => {
  it('configures the service only with settings the service reads, and they validate once the example secret is replaced', () => {
    const names = Object.keys(kratos.environment ?? {});
    expect(names.filter((n) => !CONFIG_SETTING_NAMES.includes(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PUBLIC_PORT', 'ADMIN_PORT']));
    // No secret in the file (everyone could read it): compose requires them from .env, which git ignores.
    expect(kratos.environment?.RECOVERY_SECRET).toMatch(/^\$\{RECOVERY_SECRET:\?.+\}$/);
    expect(Object.values(secrets).length).toBe(3);
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('.env');
    expect(readFileSync(join(root, '.env.example'), 'utf8')).not.toMatch(/^[A-Z_]+=\S/m);
    const config = loadConfig(env(kratos));
    expect(config.database.type).toBe('mysql');
    expect(config.warnings).toEqual([]);
  });

  it('points DATABASE_URL at the mysql service with its database and account', () => {
    const url = new URL(env(kratos).DATABASE_URL);
    const database = env(mysql);
    expect(url.hostname).toBe('mysql');
    expect(url.pathname).toBe(`/${database.MYSQL_DATABASE}`);
    expect(decodeURIComponent(url.username)).toBe(database.MYSQL_USER);
    expect(decodeURIComponent(url.password)).toBe(database.MYSQL_PASSWORD);
  });

  it('pins every image to an exact version', () => {
    expect(mysql.image).toMatch(/^mysql:8\.4\.\d+$/);
    expect(redis.image).toMatch(/^redis:7\.\d+\.\d+-alpine$/);
  });

  it('points REDIS_URL at a Redis 7 with AOF and noeviction', () => {
    expect(new URL(kratos.environment!.REDIS_URL).hostname).toBe('redis');
    expect(redis.image).toMatch(/^redis:7/);
    const command = redis.command!.join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });

  it('waits for healthy dependencies, has health checks and keeps MySQL data in a volume', () => {
    expect(kratos.depends_on).toEqual({ mysql: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    for (const service of [kratos, mysql, redis]) expect(service.healthcheck?.test.length).toBeGreaterThan(0);
    expect(mysql.volumes?.some((v) => v.endsWith(':/var/lib/mysql'))).toBe(true);
    expect(Object.keys(compose.volumes)).toContain('mysql-data');
  });

  it('publishes the public port, and the admin port on 127.0.0.1 only', () => {
    const settings = kratos.environment!;
    expect(kratos.ports).toEqual([`${settings.PUBLIC_PORT}:${settings.PUBLIC_PORT}`, `127.0.0.1:${settings.ADMIN_PORT}:${settings.ADMIN_PORT}`]);
  });
});
