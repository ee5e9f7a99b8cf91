/** Query parameters arrive as a string, an array of strings (repeated keys) or not at all. */
export function queryValues(raw: unknown): string[] {
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? (raw as unknown[]) : [raw]).map(queryText);
}

export function firstQueryValue(raw: unknown): string | undefined {
  return queryValues(raw)[0];
}

/** A UUID in its canonical text form. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One query value as text: Fastify's parser gives strings; anything else (a test's object) is written as JSON. */
function queryText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : (JSON.stringify(value) ?? '');
}
