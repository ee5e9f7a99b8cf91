/**
 * How a cookie value is read, as Go's net/http (and so Kratos) reads it: one pair of surrounding double quotes is
 * dropped, then percent-escapes are decoded (a malformed escape leaves the value as it is). @fastify/cookie 11's
 * parser (`cookie` 2) keeps the quotes; version 10's dropped them, so this keeps the earlier reading.
 */
export function decodeCookieValue(raw: string): string {
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
