import { ApiError } from '../common/errors/api-error';
import { queryValues } from '../common/http/query-values';
import { CREDENTIAL_TYPES } from './identity.model';

/** Values `include_credential` accepts (Kratos also lists the recovery and device methods; they select nothing here). */
export const INCLUDE_CREDENTIAL_VALUES: readonly string[] = [...CREDENTIAL_TYPES, 'link_recovery', 'code_recovery', 'deviceauthn'];

export function parseIncludeCredential(raw: unknown): Set<string> {
  const values = queryValues(raw);
  for (const value of values) {
    if (!INCLUDE_CREDENTIAL_VALUES.includes(value)) throw ApiError.badRequest(`Invalid value \`${value}\` for parameter \`include_credential\`.`);
  }
  return new Set(values);
}
