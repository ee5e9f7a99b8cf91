import { editDistance, findSuspectSettings, probableSetting } from './misspelt-settings';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['DATABSE_URL', 'DATABASE_URL', 1], // a letter left out
    ['REDIS_ULR', 'REDIS_URL', 1], // two neighbours swapped: one edit, not two
    ['HSOT', 'HOST', 1],
    ['HOME', 'HOST', 2],
    ['ca', 'abc', 3], // optimal string alignment: a swapped pair is not edited again
  ])('%j to %j is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('probableSetting', () => {
  const settings = [
    'HOST',
    'NODE_ENV',
    'DATABASE_URL',
    'DATABASE_POOL_SIZE',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'PUBLIC_PORT',
    'PUBLIC_BASE_URL',
    'SESSION_LIFESPAN',
    'HTTP_REQUEST_TIMEOUT',
  ];

  it.each([
    ['DATABSE_URL', 'DATABASE_URL'],
    ['REDIS_ULR', 'REDIS_URL'],
    ['database_url', 'DATABASE_URL'], // names are case-sensitive: the lower-case one is never read
    ['HSOT', 'HOST'], // short names: one edit
    ['SESSON_LIFESPN', 'SESSION_LIFESPAN'], // two edits in a long name
    ['NODE_EMV', 'NODE_ENV'],
    ['REDIS_HOST', 'REDIS_URL'], // far from every name, but one of our prefixes
    ['DATABASE_POOL', 'DATABASE_POOL_SIZE'],
    ['PUBLIC_URL', 'PUBLIC_BASE_URL'], // of that prefix, the setting sharing most words
  ])('%s probably means %s', (name, meant) => {
    expect(probableSetting(name, settings)).toBe(meant);
  });

  it.each([
    'DATABASE_URL', // a setting
    'HOME', // two edits from HOST, too many for a short name
    'SESON_LIFSPN', // three edits
    'NODE_OPTIONS', // NODE_ is Node.js's prefix as much as ours
    'HTTP_PROXY', // and HTTP_ is everyone's
    'MYSQL_PASSWORD',
  ])('%s does not look like a setting', (name) => {
    expect(probableSetting(name, settings)).toBeUndefined();
  });
});

describe('findSuspectSettings', () => {
  const settings = ['HOST', 'DATABASE_URL', 'REDIS_URL', 'SESSION_LIFESPAN', 'CONFIG_FILE'];

  it('leaves alone what other software sets, even with one of our prefixes', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/root',
      HOSTNAME: 'kratos-7d9f',
      PORT: '8080',
      NODE_OPTIONS: '--max-old-space-size=512',
      npm_config_cache: '/tmp/npm',
      npm_lifecycle_event: 'start',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      KUBERNETES_PORT_443_TCP: 'tcp://10.0.0.1:443',
      // Kubernetes' links to a service named "redis"
      REDIS_SERVICE_HOST: '10.0.0.11',
      REDIS_SERVICE_PORT: '6379',
      REDIS_SERVICE_PORT_RESP: '6379',
      REDIS_PORT: 'tcp://10.0.0.11:6379',
      REDIS_PORT_6379_TCP: 'tcp://10.0.0.11:6379',
      REDIS_PORT_6379_TCP_ADDR: '10.0.0.11',
      SESSION_MANAGER: 'local/host:@/tmp/.ICE-unix/1',
      CONFIG_SITE: '/etc/config.site',
    };
    expect(findSuspectSettings(env, settings)).toEqual([]);
  });

  it('reports the others with the setting each probably meant, and skips the ignored ones', () => {
    const env = { PATH: '/usr/bin', DATABSE_URL: 'mysql://x', REDIS_ULR: 'redis://x', REDIS_PORT: '6379', REDIS_HOST: 'x', HOST: '0.0.0.0' };
    expect(findSuspectSettings(env, settings)).toEqual([
      { name: 'DATABSE_URL', meant: 'DATABASE_URL' },
      { name: 'REDIS_ULR', meant: 'REDIS_URL' },
      { name: 'REDIS_PORT', meant: 'REDIS_URL' }, // not a Kubernetes link: its value is no tcp:// address
      { name: 'REDIS_HOST', meant: 'REDIS_URL' },
    ]);
    expect(findSuspectSettings(env, settings, { ignore: ['REDIS_HOST', 'REDIS_PORT'] }).map((s) => s.name)).toEqual(['DATABSE_URL', 'REDIS_ULR']);
  });
});
