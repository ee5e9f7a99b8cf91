/**
 * Go's RFC 3339 output for time.Time (what Kratos writes): fractional seconds with trailing zeros trimmed, and no
 * fraction at all on a whole second. `2023-07-12T09:22:19.120Z` becomes `2023-07-12T09:22:19.12Z`.
 */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}
