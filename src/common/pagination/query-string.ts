/** Go's `url.QueryEscape`: like encodeURIComponent, but spaces become "+" and !'()* are escaped too. */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's `url.Values.Encode`: keys sorted, each key's values in their order. */
export function encodeQuery(params: Map<string, string[]>): string {
  return [...params.keys()]
    .sort()
    .flatMap((key) => params.get(key)!.map((v) => `${goQueryEscape(key)}=${goQueryEscape(v)}`))
    .join('&');
}

/** A request URL (path and query) as path plus a mutable map of its query parameters. */
export function splitRequestUrl(requestUrl: string): { path: string; params: Map<string, string[]> } {
  const url = new URL(requestUrl, 'http://localhost');
  const params = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) params.set(k, [...(params.get(k) ?? []), v]);
  return { path: url.pathname, params };
}
