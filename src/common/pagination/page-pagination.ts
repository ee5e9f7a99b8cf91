/**
 * Kratos's page-based pagination (ory/x `pagepagination` and `migrationpagination`): a 0-based `page`, `per_page`
 * with default 250 clamped to 1..1000, and a `Link` header computed from the total.
 */

import { ApiError } from '../errors/api-error';
import { encodeQuery } from './query-string';

export const DEFAULT_PER_PAGE = 250;
export const MAX_PER_PAGE = 1000;

export interface PageRequest {
  page: number;
  perPage: number;
}

function toInt(value: unknown): number | undefined {
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const n = Number.parseInt(String(text), 10);
  return Number.isFinite(n) ? n : undefined;
}

/** Non-numeric or negative `page` means 0; `per_page` 0 means 1; anything above 1000 means 1000 (as Kratos). */
export function parsePageRequest(query: { page?: unknown; per_page?: unknown }): PageRequest {
  const page = Math.max(toInt(query.page) ?? 0, 0);
  const rawPerPage = toInt(query.per_page);
  const perPage = rawPerPage === undefined ? DEFAULT_PER_PAGE : Math.min(Math.max(rawPerPage, 1), MAX_PER_PAGE);
  if (page * perPage > MAX_OFFSET) throw ApiError.badRequest('The page parameter is too large; use page_token and page_size.');
  return { page, perPage };
}

/** Deeper offsets are refused rather than sent to the database (where they would be slow, or not even valid SQL). */
export const MAX_OFFSET = 100_000_000;

export interface PageLink {
  rel: 'first' | 'next' | 'prev' | 'last';
  offset: number;
  itemsPerPage: number;
}

/** ory/x's link algorithm, kept with its corner cases (for example "only first, sized to the total"). */
export function pageLinks(offset: number, itemsPerPage: number, total: number): PageLink[] {
  const ipp = itemsPerPage;
  const last = total % ipp === 0 ? total - ipp : Math.floor(total / ipp) * ipp;
  const link = (rel: PageLink['rel'], o: number, size = ipp): PageLink => ({ rel, offset: o, itemsPerPage: size });
  if (offset >= last) {
    if (total === 0) return [link('first', 0), link('next', offset + ipp), link('prev', offset - ipp)];
    if (total <= ipp) return [link('first', 0, total)];
    return [link('first', 0), link('prev', last - ipp)];
  }
  if (offset < ipp) return [link('next', ipp), link('last', last)];
  return [link('first', 0), link('next', offset + ipp), link('prev', offset - ipp), link('last', last)];
}

/**
 * `Link` for page pagination: each link sets `page` and `per_page` on `baseUrl`, keeping `otherParams` (keys sorted,
 * as Go encodes them). Schemas use an absolute base and no other parameters; identities the request's path and query.
 */
export function pageLinkHeader(baseUrl: string, request: PageRequest, total: number, otherParams = new Map<string, string[]>()): string {
  return pageLinks(request.page * request.perPage, request.perPage, total)
    .map((l) => {
      const params = new Map(otherParams);
      params.set('page', [String(Math.floor(l.offset / l.itemsPerPage) || 0)]);
      params.set('per_page', [String(l.itemsPerPage)]);
      return `<${baseUrl}?${encodeQuery(params)}>; rel="${l.rel}"`;
    })
    .join(',');
}
