/**
 * Go's `time.ParseDuration`, which Kratos uses for `expires_in` ("15m", "1h30m", "1.5h", "300ms").
 * Written here rather than taken from a library because the npm duration parsers accept other grammars
 * (ISO 8601, "1 hour") and Kratos's error messages depend on exactly what Go rejects.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's durations are int64 nanoseconds: 2562047h47m16.854775807s at most; longer ones fail to parse. */
const MAX_MS = Number(2n ** 63n - 1n) / 1e6;

/** Returns milliseconds, or undefined when `text` is not a Go duration (or longer than Go's longest). */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.+)$/.exec(text);
  if (!match || text === '') return undefined;
  const [, sign, body] = match;
  if (body === '0') return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const m = part.exec(body);
    if (!m) return undefined;
    total += Number.parseFloat(m[1]) * UNIT_MS[m[2]];
    index = part.lastIndex;
  }
  if (!(total <= MAX_MS)) return undefined;
  return sign === '-' ? -total : total;
}
