/** Query parameters arrive as a string, an array of strings (repeated keys) or not at all. */
export function queryValues(raw: unknown): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw.map(String) : [String(raw)];
}

export function firstQueryValue(raw: unknown): string | undefined {
  return queryValues(raw)[0];
}

/** A UUID in its canonical text form. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
