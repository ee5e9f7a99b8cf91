import { randomUUID } from 'node:crypto';

/** A fresh address for one test (`<prefix>-<8 hex>@example.com`), so that tests never collide on identifiers. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/**
 * argon2id at its cheapest: tests that register or sign in many users need correct hashes, not costly ones (the
 * defaults are OWASP's and take tens of milliseconds each).
 */
export const FAST_HASHING = { HASHER_ARGON2_MEMORY_KIB: '1024', HASHER_ARGON2_ITERATIONS: '1' } as const;

/** The password the fixtures give identities: long enough for the password policy, and not a breached one. */
export const FIXTURE_PASSWORD = 'correct-horse-battery-staple-42';

/** The admin API's create body for an identity of the default schema with a password credential. */
export function passwordIdentityBody(email = uniqueEmail(), password = FIXTURE_PASSWORD) {
  return { schema_id: 'default', traits: { email }, credentials: { password: { config: { password } } } };
}
