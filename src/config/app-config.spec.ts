import { BUNDLED_DEFAULT_SCHEMA_PATH, ConfigError, loadConfig } from './app-config';

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
});
