import { ApiError } from '../errors/api-error';
import { firstQueryValue, UUID_PATTERN } from '../http/query-values';
import { encodeQuery, splitRequestUrl } from './query-string';

/** Kratos's keyset pagination (ory/x `keysetpagination`): the token is the last item's UUID. */
export const FIRST_PAGE_TOKEN = '00000000-0000-0000-0000-000000000000';

export interface KeysetRequest {
  size: number;
  /** Items after this id (exclusive). */
  token: string;
}

/** `page_size`: default when absent or ≤0, capped at the maximum; a non-integer is a 400 with Go's parse error. */
export function parseKeysetRequest(query: { page_size?: unknown; page_token?: unknown }, limits: { defaultSize: number; maxSize: number }): KeysetRequest {
  const rawSize = firstQueryValue(query.page_size);
  let size = limits.defaultSize;
  if (rawSize !== undefined && rawSize !== '') {
    if (!/^[+-]?\d+$/.test(rawSize)) throw ApiError.badRequest(`strconv.Atoi: parsing ${JSON.stringify(rawSize)}: invalid syntax`);
    const n = Number.parseInt(rawSize, 10);
    size = n <= 0 ? limits.defaultSize : Math.min(n, limits.maxSize);
  }
  const rawToken = firstQueryValue(query.page_token);
  if (rawToken === undefined || rawToken === '') return { size, token: FIRST_PAGE_TOKEN };
  if (!UUID_PATTERN.test(rawToken)) throw ApiError.badRequest('The page token is invalid, do not craft your own page tokens');
  return { size, token: rawToken.toLowerCase() };
}

/**
 * One `Link` header, relative to the request URL with its other query parameters kept (keys sorted):
 * `first` always, `next` when another page exists.
 */
export function keysetLinkHeader(requestUrl: string, size: number, nextToken: string | undefined): string {
  const { path, params } = splitRequestUrl(requestUrl);
  const link = (rel: string, token: string) => {
    params.set('page_token', [token]);
    params.set('page_size', [String(size)]);
    return `<${path}?${encodeQuery(params)}>; rel="${rel}"`;
  };
  const links = [link('first', FIRST_PAGE_TOKEN)];
  if (nextToken) links.push(link('next', nextToken));
  return links.join(',');
}
