import { keysetLinkHeader } from './keyset-pagination';
import { PageRequest, pageLinkHeader } from './page-pagination';
import { splitRequestUrl } from './query-string';

/** Response headers of one page of a list, as Kratos sends them; controllers copy them onto the reply. */
export type PaginationHeaders = Record<string, string>;

/** Keyset pages: only `link` (`first`, and `next` when `nextToken` is given); Kratos sends no total here. */
export function keysetPageHeaders(requestUrl: string, size: number, nextToken: string | undefined): PaginationHeaders {
  return { link: keysetLinkHeader(requestUrl, size, nextToken) };
}

/** Page pagination: `x-total-count` and a `link` on the request's path, keeping its other query parameters. */
export function pagePageHeaders(requestUrl: string, request: PageRequest, total: number): PaginationHeaders {
  const { path, params } = splitRequestUrl(requestUrl);
  params.delete('page');
  params.delete('per_page');
  return { 'x-total-count': String(total), link: pageLinkHeader(path, request, total, params) };
}
