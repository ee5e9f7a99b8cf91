import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DEFAULT_SCHEMA_PATH, CONFIG_SETTING_NAMES, ConfigError, loadConfig, suspectSettings } from './app-config';

describe('loadConfig', () => {
  it('has embedded defaults for everything', () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ publicPort: 4433, adminPort: 4434, publicBaseUrl: 'http://127.0.0.1:4433', adminBaseUrl: 'http://127.0.0.1:4434' });
    expect(config.database).toMatchObject({ type: 'sqlite', path: './data/kratos.sqlite', autoMigrate: true });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.events.queue).toBe('kratos-events');
    expect(config.identity).toEqual({ schemas: [{ id: 'default', url: `file://${BUNDLED_DEFAULT_SCHEMA_PATH}` }], defaultSchemaId: 'default' });
    expect(config.adminApiKeys).toEqual([]);
    // Defaults of parsed settings are parsed too (zod 4's .default() would hand over the raw string).
    expect(config.session.lifespanMs).toBe(24 * 3600 * 1000);
    expect(config.http.trustProxy).toBe(false);
    expect(config.events.relayEnabled).toBe(true);
  });

  it('parses the database URL kinds', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/kratos' }).database).toMatchObject({ type: 'mysql', url: 'mysql://u:p@db:3306/kratos' });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toMatchObject({ type: 'sqlite', path: ':memory:' });
    expect(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/kratos.db' }).database).toMatchObject({ path: '/var/lib/kratos.db' });
  });

  it('splits ADMIN_API_KEYS and trims base URLs', () => {
    const config = loadConfig({ ADMIN_API_KEYS: ' a , b,,', PUBLIC_BASE_URL: 'https://id.example.com/' });
    expect(config.adminApiKeys).toEqual(['a', 'b']);
    expect(config.http.publicBaseUrl).toBe('https://id.example.com');
  });

  it.each([
    [{ PUBLIC_PORT: 'abc' }, /^PUBLIC_PORT: /],
    [{ ADMIN_PORT: '70000' }, /^ADMIN_PORT: /],
    [{ DATABASE_URL: 'postgres://x' }, /^DATABASE_URL: must be/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL: /],
    [{ DATABASE_AUTO_MIGRATE: 'maybe' }, /^DATABASE_AUTO_MIGRATE: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ IDENTITY_SCHEMAS: 'not json' }, /^IDENTITY_SCHEMAS: must be a JSON list/],
    [{ IDENTITY_SCHEMAS: '[{"id":"x","url":"ftp://y"}]' }, /^IDENTITY_SCHEMAS\[0\]\.url: must start with/],
    [{ IDENTITY_SCHEMAS: '[{"id":"x","url":"file:///a"}]' }, /^IDENTITY_DEFAULT_SCHEMA_ID: "default" is not one of the ids/],
    [{ IDENTITY_SCHEMAS: '[{"id":"default","url":"file:///a"},{"id":"default","url":"file:///b"}]' }, /listed twice/],
    [{ EVENTS_SUBSCRIBERS: '[{"queue":"a","extra":1}]' }, /^EVENTS_SUBSCRIBERS\[0\]: /],
    [{ PUBLIC_BASE_URL: 'not a url' }, /^PUBLIC_BASE_URL: /],
    [{ SESSION_LIFESPAN: 'soon' }, /^SESSION_LIFESPAN: SESSION_LIFESPAN must be a positive Go duration/],
  ])('rejects %j with a message naming the setting', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PUBLIC_PORT: '' }).http.publicPort).toBe(4433);
  });

  it('has no warnings when nothing looks wrong', () => {
    expect(loadConfig({}).warnings).toEqual([]);
  });
});

/** What production needs at least: an explicit database and a real recovery secret. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://kratos:pw@db:3306/kratos',
  RECOVERY_SECRET: '3f9c1e0b7a4d2c6e8f1a9b3c5d7e0f2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e',
};
/** docker-compose.yml's example RECOVERY_SECRET. */
const COMPOSE_PLACEHOLDER = 'change-me-to-a-long-random-value-of-32-chars-or-more';

describe('loadConfig in production', () => {
  it('loads with an explicit database and a recovery secret', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.env).toBe('production');
    expect(config.warnings).toEqual([]);
    expect(loadConfig({ ...PRODUCTION, DATABASE_URL: 'sqlite:///var/lib/kratos/kratos.sqlite' }).database).toMatchObject({ type: 'sqlite' });
  });

  it('needs DATABASE_URL: the SQLite default under ./data is for development only', () => {
    const env = { ...PRODUCTION, DATABASE_URL: undefined };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/^DATABASE_URL: required in production/);
    expect(() => loadConfig({ ...PRODUCTION, DATABASE_URL: '' })).toThrow(/^DATABASE_URL: required in production/);
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).database).toMatchObject({ type: 'sqlite', path: './data/kratos.sqlite' });
  });

  it.each([
    ['DATABSE_URL', 'DATABASE_URL'],
    ['REDIS_ULR', 'REDIS_URL'],
    ['SESION_LIFESPAN', 'SESSION_LIFESPAN'],
    ['ADMIN_API_KEY', 'ADMIN_API_KEYS'],
    ['REDIS_URI', 'REDIS_URL'],
    ['REDIS_CLUSTER_NODE', 'REDIS_CLUSTER_NODES'],
  ])('refuses %s, naming the setting it probably meant (%s)', (name, meant) => {
    const env = { ...PRODUCTION, [name]: 'x' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${name} is not a setting; did you mean ${meant}\\?`));
  });

  it('reports a misspelt DATABASE_URL rather than the missing one, and every suspect at once', () => {
    const env = {
      NODE_ENV: 'production',
      RECOVERY_SECRET: PRODUCTION.RECOVERY_SECRET,
      DATABSE_URL: 'mysql://kratos:pw@db:3306/kratos',
      REDIS_ULR: 'redis://r:6379',
    };
    expect(() => loadConfig(env)).toThrow(/^DATABSE_URL is not a setting; did you mean DATABASE_URL\? REDIS_ULR is not a setting; did you mean REDIS_URL\?/);
  });

  it('does not report what other software sets', () => {
    const env = {
      ...PRODUCTION,
      PATH: '/usr/local/bin:/usr/bin',
      HOME: '/home/node',
      HOSTNAME: 'kratos-7d9f8c-x2x4z',
      NODE_OPTIONS: '--max-old-space-size=512',
      NODE_VERSION: '24.22.3',
      npm_config_cache: '/tmp/.npm',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      REDIS_SERVICE_HOST: '10.96.3.7',
      REDIS_PORT: 'tcp://10.96.3.7:6379',
      REDIS_PORT_6379_TCP_ADDR: '10.96.3.7',
    };
    expect(loadConfig(env).warnings).toEqual([]);
    expect(suspectSettings(env)).toEqual([]);
  });

  it('does not report the variables listed in CONFIG_IGNORE_VARIABLES', () => {
    const env = { ...PRODUCTION, REDIS_HOST: 'cache', DATABASE_HOST: 'db', CONFIG_IGNORE_VARIABLES: 'REDIS_HOST, DATABASE_HOST' };
    expect(loadConfig(env).warnings).toEqual([]);
  });

  it('refuses placeholder secrets, naming the setting and never repeating the value', () => {
    expect(() => loadConfig({ ...PRODUCTION, RECOVERY_SECRET: COMPOSE_PLACEHOLDER })).toThrow(
      /^RECOVERY_SECRET: the value is a placeholder \(the RECOVERY_SECRET of docker-compose.yml/,
    );
    expect(() => loadConfig({ ...PRODUCTION, RECOVERY_SECRET: 'x'.repeat(40) })).toThrow(
      /^RECOVERY_SECRET: the value is a placeholder \(one character repeated\)/,
    );
    expect(() => loadConfig({ ...PRODUCTION, ADMIN_API_KEYS: 'k-3f9c1e0b7a4d2c6e, change-me' })).toThrow(/^ADMIN_API_KEYS: key 2 of 2 is a placeholder/);
    expect(() => loadConfig({ ...PRODUCTION, METRICS_API_KEYS: 'secret' })).toThrow(/^METRICS_API_KEYS: key 1 of 1 is a placeholder/);
    let message = '';
    try {
      loadConfig({ ...PRODUCTION, RECOVERY_SECRET: COMPOSE_PLACEHOLDER });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^RECOVERY_SECRET: /);
    expect(message).not.toContain(COMPOSE_PLACEHOLDER);
  });
});

describe('loadConfig outside production', () => {
  it('warns about a misspelt setting instead of refusing it', () => {
    for (const NODE_ENV of ['development', 'test', undefined]) {
      const config = loadConfig({ NODE_ENV, DATABSE_URL: 'mysql://x@db/kratos', PATH: '/usr/bin', KUBERNETES_SERVICE_HOST: '10.96.0.1' });
      expect(config.warnings).toEqual(['DATABSE_URL is not a setting; did you mean DATABASE_URL?']);
      expect(config.database).toMatchObject({ type: 'sqlite' }); // the misspelt one is not read
    }
    expect(suspectSettings({ REDIS_ULR: 'redis://x', HOME: '/root' })).toEqual([{ name: 'REDIS_ULR', meant: 'REDIS_URL' }]);
  });

  it('accepts the compose placeholder secret with a warning (it works here, production refuses it)', () => {
    const config = loadConfig({ RECOVERY_SECRET: COMPOSE_PLACEHOLDER, ADMIN_API_KEYS: 'changeme' });
    expect(config.recovery.secret).toBe(COMPOSE_PLACEHOLDER);
    expect(config.warnings).toEqual([
      expect.stringMatching(/^RECOVERY_SECRET: the value is a placeholder .*\(production refuses it\)$/),
      expect.stringMatching(/^ADMIN_API_KEYS: key 1 of 1 is a placeholder .*\(production refuses it\)$/),
    ]);
    expect(config.warnings.join('\n')).not.toContain(COMPOSE_PLACEHOLDER);
  });
});

describe('the known setting names', () => {
  it('are the schema keys and CONFIG_FILE', () => {
    expect(CONFIG_SETTING_NAMES).toEqual(
      expect.arrayContaining(['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'RECOVERY_SECRET', 'CONFIG_FILE', 'CONFIG_IGNORE_VARIABLES']),
    );
    expect(new Set(CONFIG_SETTING_NAMES).size).toBe(CONFIG_SETTING_NAMES.length);
  });
});

describe('CONFIG_FILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kratos-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(text: string): string {
    const path = join(dir, 'kratos.yaml');
    writeFileSync(path, text);
    return path;
  }

  it('counts as setting DATABASE_URL explicitly in production', () => {
    const CONFIG_FILE = file('DATABASE_URL: mysql://kratos:pw@db:3306/kratos\n');
    expect(loadConfig({ ...PRODUCTION, DATABASE_URL: undefined, CONFIG_FILE }).database).toMatchObject({ type: 'mysql' });
  });

  it('refuses an unknown key in any environment, naming the setting it probably meant', () => {
    const CONFIG_FILE = file('DATABSE_URL: mysql://kratos:pw@db:3306/kratos\n');
    expect(() => loadConfig({ CONFIG_FILE })).toThrow(/^CONFIG_FILE: unknown setting DATABSE_URL in .*kratos\.yaml; did you mean DATABASE_URL\?$/);
    expect(() => loadConfig({ CONFIG_FILE: file('COLOUR: blue\n') })).toThrow(/^CONFIG_FILE: unknown setting COLOUR in .*kratos\.yaml$/);
  });
});

describe('loadConfig: Redis topologies', () => {
  it("is one node by default, from REDIS_URL, with BullMQ's own prefix", () => {
    const config = loadConfig({});
    expect(config.redis).toMatchObject({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(config.events.queuePrefix).toBe('bull');
  });

  it('is a cluster with REDIS_CLUSTER_NODES, credentials and TLS for its nodes, and a hash-tagged prefix', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379, redis://10.0.0.2:6380', REDIS_PASSWORD: 'pw', REDIS_USERNAME: 'svc', REDIS_TLS: 'true' });
    expect(config.redis).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 6379 },
        { host: '10.0.0.2', port: 6380 },
      ],
      username: 'svc',
      password: 'pw',
      tls: true,
    });
    expect(config.events.queuePrefix).toBe('{bull}');
  });

  it('refuses a cluster prefix without a hash tag unless every queue name has one', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', EVENTS_QUEUE_PREFIX: 'bull' })).toThrow(/^EVENTS_QUEUE_PREFIX: .*hash tag/);
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', EVENTS_QUEUE_PREFIX: 'bull', EVENTS_QUEUE: '{kratos-events}' }).events.queue).toBe(
      '{kratos-events}',
    );
  });

  it('is a Sentinel set with REDIS_SENTINELS and the master name', () => {
    const config = loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'kratos', REDIS_SENTINEL_PASSWORD: 'spw' });
    expect(config.redis).toMatchObject({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'kratos',
      sentinelPassword: 'spw',
    });
  });

  it('refuses both topologies at once, and nodes that are not host:port', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2' })).toThrow(/^REDIS_SENTINELS: set either/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'no-port' })).toThrow(/^REDIS_CLUSTER_NODES: "no-port" is not host:port/);
  });
});
