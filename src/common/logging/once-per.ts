/**
 * Lets a message through once per key per interval: a failure that hits every request (the database is down) is one
 * log line every few seconds, with how many were left out, not a line per request.
 */
export class OncePer {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs: number) {}

  /** The number of occurrences left out since the last one let through, or undefined when this one is left out too. */
  take(key: string, now = Date.now()): number | undefined {
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return undefined;
    }
    this.last.set(key, { at: now, suppressed: 0 });
    return seen?.suppressed ?? 0;
  }
}
