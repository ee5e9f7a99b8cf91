import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { collectDerivations, KRATOS_EXTENSION_AJV_KEYWORD, KRATOS_EXTENSION_KEYWORD, renameExtensionKeys, TraitDerivations } from './kratos-extension';

/** A trait validation failure, in the `I[<instance>] S[<schema>] <message>` form Kratos reports. */
export interface TraitError {
  instancePtr: string;
  schemaPtr: string;
  message: string;
  /** The JSON-schema keyword that failed (`required`, `format`, `minLength`, …) and its parameters. */
  keyword: string;
  params: Record<string, unknown>;
  /** The offending value (absent for `required`). */
  value?: unknown;
}

export type TraitValidationResult = { valid: true; derivations: TraitDerivations } | { valid: false; errors: TraitError[] };

export class InvalidSchemaError extends Error {}

/** E.164 with optional separators, which is what Kratos's `tel` format accepts in practice. */
const TEL = /^\+?[0-9][0-9 ()./-]{4,30}$/;

const EMAIL_SYNTAX = fullFormats.email as RegExp;

/**
 * `format: email` as Kratos's validator (santhosh-tekuri/jsonschema) checks it: at most 254 bytes in all and 64 in
 * the local part (RFC 5321's limits), then the address syntax.
 */
export function isEmail(value: string): boolean {
  if (Buffer.byteLength(value) > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || Buffer.byteLength(value.slice(0, at)) > 64) return false;
  return EMAIL_SYNTAX.test(value);
}

type AnyAjv = Ajv | Ajv2019 | Ajv2020;

function createAjv(schema: Record<string, unknown>): AnyAjv {
  const options = { strict: false, allErrors: true, verbose: true, validateFormats: true, validateSchema: true, addUsedSchema: false };
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  let ajv: AnyAjv;
  if (draft.includes('2020-12')) ajv = new Ajv2020(options);
  else if (draft.includes('2019-09')) ajv = new Ajv2019(options);
  else ajv = new Ajv(options);
  addFormats(ajv);
  ajv.addFormat('email', isEmail);
  ajv.addFormat('tel', TEL);
  ajv.addKeyword(KRATOS_EXTENSION_KEYWORD);
  return ajv;
}

function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function quoteList(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** Rewrites Ajv's messages into the wording of santhosh-tekuri/jsonschema, which Kratos uses. */
function kratosMessage(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const actual = typeOfValue(error.data);
      return `expected ${String(p.type).split(',').join(' or ')}, but got ${actual === 'integer' ? 'number' : actual}`;
    }
    case 'required':
      return `missing properties: ${JSON.stringify(p.missingProperty)}`;
    case 'format':
      return `${JSON.stringify(error.data)} is not valid ${JSON.stringify(p.format)}`;
    case 'minLength':
      return `length must be >= ${String(p.limit)}, but got ${String((error.data as string).length)}`;
    case 'maxLength':
      return `length must be <= ${String(p.limit)}, but got ${String((error.data as string).length)}`;
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)} but found ${String(error.data)}`;
    case 'additionalProperties':
      return `additionalProperties ${JSON.stringify(p.additionalProperty)} not allowed`;
    case 'enum':
      return `value must be one of ${quoteList(p.allowedValues as unknown[])}`;
    case 'const':
      return `value must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      return `does not match pattern ${JSON.stringify(p.pattern)}`;
    case 'minItems':
      return `minimum ${String(p.limit)} items required, but found ${String((error.data as unknown[]).length)} items`;
    case 'maxItems':
      return `maximum ${String(p.limit)} items allowed, but found ${String((error.data as unknown[]).length)} items`;
    default:
      return error.message ?? error.keyword;
  }
}

/** What an error of the `ory.sh/kratos` keyword is about: a format, or a value longer than its column. */
function extensionKeyword(error: ErrorObject): string {
  return (error.params as { limit?: unknown }).limit !== undefined ? 'maxLength' : 'format';
}

/** Merges per-property `required` errors at one place into one line, as Kratos does ("missing properties: "a", "b""). */
function toTraitErrors(errors: ErrorObject[]): TraitError[] {
  const out: TraitError[] = [];
  // The extension's own format check repeats a schema `format` failure; keep the schema's, which Kratos reports.
  const fromExtension = (e: ErrorObject) => e.schemaPath.endsWith(`/${KRATOS_EXTENSION_AJV_KEYWORD}`);
  const ordered = [...errors.filter((e) => !fromExtension(e)), ...errors.filter(fromExtension)];
  for (const error of ordered) {
    const instancePtr = `#${error.instancePath}`;
    const schemaPtr = error.schemaPath.replace(KRATOS_EXTENSION_AJV_KEYWORD, 'ory.sh~1kratos');
    if (error.keyword === 'required') {
      const same = out.find((e) => e.instancePtr === instancePtr && e.schemaPtr === schemaPtr);
      if (same) {
        same.message += `, ${JSON.stringify((error.params as { missingProperty: string }).missingProperty)}`;
        continue;
      }
    }
    const message = kratosMessage(error);
    if (out.some((e) => e.instancePtr === instancePtr && e.message === message)) continue;
    // A value that already failed the schema (an invalid email) need not also be reported as too long to store.
    if (fromExtension(error) && extensionKeyword(error) === 'maxLength' && out.some((e) => e.instancePtr === instancePtr)) continue;
    out.push({
      instancePtr,
      schemaPtr,
      message,
      keyword: fromExtension(error) ? extensionKeyword(error) : error.keyword,
      params: error.params as Record<string, unknown>,
      ...(error.keyword === 'required' ? {} : { value: error.data }),
    });
  }
  return out;
}

/** Formats errors the way Kratos puts them into `error.reason`: one line per cause. */
export function formatTraitErrors(errors: TraitError[]): string {
  const lines = errors.map((e) => `I[${e.instancePtr}] S[${e.schemaPtr}] ${e.message}`);
  return lines.length === 1
    ? lines[0]
    : lines
        .map((l) => `  ${l}`)
        .join('\n')
        .trimStart();
}

/**
 * A compiled identity schema. Kratos validates `{"traits": <traits>}` against the schema document, so the schema's
 * top level describes an object with a `traits` property.
 */
export class TraitValidator {
  private readonly validate: ValidateFunction;
  private readonly ajv: AnyAjv;

  constructor(readonly schema: Record<string, unknown>) {
    const copy = renameExtensionKeys(schema) as Record<string, unknown>;
    this.ajv = createAjv(copy);
    try {
      this.validate = this.ajv.compile(copy);
    } catch (err) {
      throw new InvalidSchemaError((err as Error).message);
    }
  }

  static fromJson(raw: string): TraitValidator {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (err) {
      throw new InvalidSchemaError(`not valid JSON: ${(err as Error).message}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidSchemaError('must be a JSON object');
    return new TraitValidator(doc as Record<string, unknown>);
  }

  validateTraits(traits: unknown): TraitValidationResult {
    const formats = this.ajv.formats as Record<string, unknown>;
    const checkFormat = (format: 'email' | 'tel', value: string): boolean => {
      const f = formats[format];
      if (f instanceof RegExp) return f.test(value);
      if (typeof f === 'function') return Boolean((f as (v: string) => boolean)(value));
      if (f && typeof f === 'object' && 'validate' in f) {
        const v = (f as { validate: RegExp | ((s: string) => boolean) }).validate;
        return v instanceof RegExp ? v.test(value) : Boolean(v(value));
      }
      return true;
    };
    const { result, derivations } = collectDerivations(checkFormat, () => this.validate({ traits: traits ?? null }));
    if (result) return { valid: true, derivations };
    return { valid: false, errors: toTraitErrors(this.validate.errors ?? []) };
  }
}
