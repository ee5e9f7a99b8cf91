import { createHash } from 'node:crypto';
import { adminKeyMatches, surfaceOfPath } from './api-surface.hook';

describe('surfaceOfPath', () => {
  it.each([
    ['/admin/identities', 'admin'],
    ['/admin', 'admin'],
    ['/admin?x=1', 'admin'],
    ['/openapi.json', 'admin'],
    ['/docs', 'admin'],
    ['/docs/static/index.html', 'admin'],
    ['/self-service/login/api', 'public'],
    ['/sessions/whoami', 'public'],
    ['/schemas/default', 'both'],
    ['/health/alive', 'both'],
    ['/administrator', 'both'],
  ])('%s → %s', (path, surface) => expect(surfaceOfPath(path)).toBe(surface));
});

describe('adminKeyMatches', () => {
  const keys = ['alpha', 'beta'].map((k) => createHash('sha256').update(k).digest());

  it('accepts any configured key as a bearer token', () => {
    expect(adminKeyMatches('Bearer alpha', keys)).toBe(true);
    expect(adminKeyMatches('bearer beta', keys)).toBe(true);
  });

  it('refuses missing, malformed and wrong credentials', () => {
    expect(adminKeyMatches(undefined, keys)).toBe(false);
    expect(adminKeyMatches('alpha', keys)).toBe(false);
    expect(adminKeyMatches('Basic alpha', keys)).toBe(false);
    expect(adminKeyMatches('Bearer gamma', keys)).toBe(false);
  });
});
