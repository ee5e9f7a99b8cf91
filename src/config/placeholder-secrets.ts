/**
 * Values that are known not to be secrets: the examples we publish and the obvious stand-ins. Production refuses them
 * as RECOVERY_SECRET, ADMIN_API_KEYS or METRICS_API_KEYS (app-config.ts), since anyone who has read our files knows
 * them. The one list of them: add a value here whenever a file of ours shows an example secret.
 */
const PLACEHOLDERS: readonly { value: string; from: string }[] = [
  // Ours, published (grep the repository for RECOVERY_SECRET, _API_KEYS and "secret" to find new ones).
  { value: 'change-me-to-a-long-random-value-of-32-chars-or-more', from: 'the RECOVERY_SECRET of docker-compose.yml before it required one' },
  { value: 'change-me', from: "docker-compose.yml's commented-out ADMIN_API_KEYS example" },
  { value: 'kratos-secret', from: 'the MySQL password of docker-compose.yml before it came from .env' },
  { value: 'root-secret', from: 'the MySQL root password of docker-compose.yml before it came from .env' },
  { value: 'legacy-fixture-recovery-secret-0123456789abcdef', from: 'the RECOVERY_SECRET of test/fixtures/legacy-database/README.md' },
  // Obvious stand-ins.
  { value: 'changeme', from: 'a common placeholder' },
  { value: 'secret', from: 'a common placeholder' },
  { value: 'password', from: 'a common placeholder' },
];

/**
 * Why `value` is a placeholder (for the error message, which never repeats the value), or undefined when it is not
 * one. Compared without case and surrounding spaces; a value that says "change me" anywhere, or that is one
 * character repeated, is a placeholder too.
 */
export function placeholderReason(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  const known = PLACEHOLDERS.find((p) => p.value === v);
  if (known) return known.from;
  if (/change[-_ ]?me/.test(v)) return 'it says "change me"';
  if (v.length > 0 && [...v].every((c) => c === v[0])) return 'one character repeated';
  return undefined;
}
