/**
 * Go's RFC 3339 output for time.Time (what Kratos writes): fractional seconds with trailing zeros trimmed, and no
 * fraction at all on a whole second. `2023-07-12T09:22:19.120Z` becomes `2023-07-12T09:22:19.12Z`.
 */
export function formatTime(date: Date): string {
  // toISOString always ends in `.mmmZ`: drop the milliseconds' trailing zeros, and the point when all three are.
  const iso = date.toISOString();
  const end = iso.length - 1;
  if (iso.charCodeAt(end - 1) !== ZERO) return iso;
  if (iso.charCodeAt(end - 2) !== ZERO) return `${iso.slice(0, end - 1)}Z`;
  if (iso.charCodeAt(end - 3) !== ZERO) return `${iso.slice(0, end - 2)}Z`;
  return `${iso.slice(0, end - 4)}Z`;
}

const ZERO = 48; // '0'
