import { ApiError } from '../errors/api-error';
import { UUID_PATTERN } from './query-values';

const HEX32 = /^[0-9a-f]{32}$/i;

/**
 * Parses a path id the way Kratos's session routes do (gofrs/uuid `FromString`): a malformed id is a 400 whose
 * message is the library's, e.g. `uuid: incorrect UUID length 7 in string "BADUUID"`.
 */
export function parseStrictUuid(raw: string): string {
  if (UUID_PATTERN.test(raw)) return raw.toLowerCase();
  if (HEX32.test(raw)) return raw.toLowerCase().replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  const message =
    raw.length === 36 || raw.length === 32
      ? `uuid: incorrect UUID format in string ${JSON.stringify(raw)}`
      : `uuid: incorrect UUID length ${Buffer.byteLength(raw)} in string ${JSON.stringify(raw)}`;
  throw new ApiError(400, { message });
}
