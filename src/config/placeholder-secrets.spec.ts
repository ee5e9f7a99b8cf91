import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { placeholderReason } from './placeholder-secrets';

describe('placeholderReason', () => {
  it('knows the example secrets of our docker-compose.yml, past and commented-out', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8');
    const env = (parse(text) as { services: { kratos: { environment: Record<string, string> } } }).services.kratos.environment;
    // The file requires RECOVERY_SECRET from the environment now; the example it used to carry stays refused.
    expect(env.RECOVERY_SECRET).toMatch(/^\$\{RECOVERY_SECRET:\?/);
    expect(placeholderReason('change-me-to-a-long-random-value-of-32-chars-or-more')).toMatch(/docker-compose\.yml/);
    const commented = /#\s*ADMIN_API_KEYS:\s*(\S+)/.exec(text)?.[1];
    expect(commented).toBeDefined();
    expect(placeholderReason(commented!)).toBeDefined();
  });

  it.each([
    'changeme',
    'CHANGE-ME',
    ' change_me ',
    'please-change-me-before-deploying-this-service',
    'secret',
    'Password',
    'x'.repeat(40),
    '0000000000000000000000000000000000',
  ])('refuses %j', (value) => {
    expect(placeholderReason(value)).toBeDefined();
  });

  it.each(['3f9c1e0b7a4d2c6e8f1a9b3c5d7e0f2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e', 'ops-key-2f8a', 'secrets-manager-issued-3kq9'])('accepts %j', (value) => {
    expect(placeholderReason(value)).toBeUndefined();
  });
});
