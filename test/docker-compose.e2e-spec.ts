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

const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const { kratos, mysql, redis } = compose.services;

describe('docker-compose.yml (parsed; no Docker engine here to run it)', () => {
  it('configures the service only with settings the service reads, and they validate once the example secret is replaced', () => {
    const names = Object.keys(kratos.environment ?? {});
    expect(names.filter((n) => !CONFIG_SETTING_NAMES.includes(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PUBLIC_PORT', 'ADMIN_PORT']));
    // No example secret in the file (everyone could read it): compose requires RECOVERY_SECRET from the environment.
    expect(kratos.environment?.RECOVERY_SECRET).toMatch(/^\$\{RECOVERY_SECRET:\?.+\}$/);
    const config = loadConfig({ ...kratos.environment, RECOVERY_SECRET: randomBytes(32).toString('hex') });
    expect(config.database.type).toBe('mysql');
    expect(config.warnings).toEqual([]);
  });

  it('points DATABASE_URL at the mysql service with its database and account', () => {
    const url = new URL(kratos.environment!.DATABASE_URL);
    expect(url.hostname).toBe('mysql');
    expect(url.pathname).toBe(`/${mysql.environment!.MYSQL_DATABASE}`);
    expect(decodeURIComponent(url.username)).toBe(mysql.environment!.MYSQL_USER);
    expect(decodeURIComponent(url.password)).toBe(mysql.environment!.MYSQL_PASSWORD);
    expect(mysql.image).toMatch(/^mysql:8/);
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

  it('publishes the two ports the service listens on', () => {
    const env = kratos.environment!;
    expect((kratos as { ports: string[] }).ports).toEqual([`${env.PUBLIC_PORT}:${env.PUBLIC_PORT}`, `${env.ADMIN_PORT}:${env.ADMIN_PORT}`]);
  });
});
