import { ApiError } from '../common/errors/api-error';
import { firstQueryValue as single, queryValues as list, UUID_PATTERN as UUID } from '../common/http/query-values';
import { KeysetRequest, parseKeysetRequest } from '../common/pagination/keyset-pagination';
import { PageRequest, parsePageRequest } from '../common/pagination/page-pagination';
import { parseIncludeCredential } from './include-credential';

export const MAX_ID_FILTER = 500;
export const KEYSET_LIMITS = { defaultSize: 250, maxSize: 500 };

/** GET /admin/identities, parsed as current Kratos parses it. */
export interface ListIdentitiesQuery {
  pagination: { kind: 'keyset'; request: KeysetRequest } | { kind: 'page'; request: PageRequest };
  ids?: string[];
  credentialsIdentifier?: string;
  credentialsIdentifierSimilar?: string;
  organizationId?: string;
  includeCredential: Set<string>;
}

/**
 * Pagination: `page_token` or `page_size` selects keyset pagination; otherwise `page` selects the legacy page
 * pagination; otherwise keyset again, with `per_page` read as `page_size`. At most one filter may be given.
 */
export function parseListIdentitiesQuery(query: Record<string, unknown>): ListIdentitiesQuery {
  const ids = query.ids === undefined ? undefined : list(query.ids).filter((id) => id !== '');
  for (const id of ids ?? []) {
    if (!UUID.test(id)) throw ApiError.badRequest(`Invalid UUID value \`${id}\` for parameter \`ids\`.`);
  }
  if (ids && ids.length > MAX_ID_FILTER) throw ApiError.badRequest(`The number of ids to filter must not exceed ${MAX_ID_FILTER}.`);
  const organizationId = single(query.organization_id) || undefined;
  if (organizationId && !UUID.test(organizationId)) {
    throw ApiError.badRequest(`Invalid UUID value \`${organizationId}\` for parameter \`organization_id\`.`);
  }
  const credentialsIdentifier = single(query.credentials_identifier) || undefined;
  const credentialsIdentifierSimilar = single(query.preview_credentials_identifier_similar) || undefined;
  const filters = [ids && ids.length > 0, organizationId, credentialsIdentifier, credentialsIdentifierSimilar].filter(Boolean).length;
  if (filters > 1) throw ApiError.badRequest('You cannot combine multiple filters in this API');

  let pagination: ListIdentitiesQuery['pagination'];
  if (query.page_token !== undefined || query.page_size !== undefined) {
    pagination = { kind: 'keyset', request: parseKeysetRequest(query, KEYSET_LIMITS) };
  } else if (query.page !== undefined) {
    pagination = { kind: 'page', request: parsePageRequest({ page: single(query.page), per_page: single(query.per_page) }) };
  } else {
    pagination = { kind: 'keyset', request: parseKeysetRequest({ page_size: single(query.per_page) }, KEYSET_LIMITS) };
  }

  return {
    pagination,
    ids: ids && ids.length > 0 ? ids.map((id) => id.toLowerCase()) : undefined,
    credentialsIdentifier,
    credentialsIdentifierSimilar,
    organizationId,
    includeCredential: parseIncludeCredential(query.include_credential),
  };
}
