/** `?, ?, …`: one placeholder per value, for an IN list or a VALUES tuple (MySQL and SQLite read `?` alike). */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
