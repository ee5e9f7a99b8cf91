import type { KeywordDefinition, SchemaValidateFunction } from 'ajv';

/**
 * The `ory.sh/kratos` JSON-schema extension. Kratos runs its extension on every *value* that a subschema carrying
 * the extension validates (array items, `$ref`s and combinators included). Registering it as an Ajv keyword gives
 * exactly that walk; the keyword collects what it sees into the collector of the validation in progress.
 */

export type VerificationVia = 'email' | 'phone' | 'sms';
export type RecoveryVia = 'email' | 'sms';

export interface DerivedAddress<V extends string> {
  value: string;
  via: V;
}

/** What the extension derives from an identity's traits. */
export interface TraitDerivations {
  /** Login identifiers per credential type (password, webauthn), lower-cased, trimmed, deduplicated, in trait order. */
  credentialIdentifiers: Record<'password' | 'webauthn', string[]>;
  verifiableAddresses: Array<DerivedAddress<VerificationVia>>;
  recoveryAddresses: Array<DerivedAddress<RecoveryVia>>;
}

interface ExtensionConfig {
  credentials?: {
    password?: { identifier?: boolean };
    webauthn?: { identifier?: boolean };
  };
  verification?: { via?: VerificationVia };
  recovery?: { via?: RecoveryVia };
}

const flag = { type: 'boolean' } as const;

/** The extension's meta-schema: additionalProperties is false at every level, as in Kratos's own. */
export const KRATOS_EXTENSION_META_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    credentials: {
      type: 'object',
      additionalProperties: false,
      properties: {
        password: { type: 'object', additionalProperties: false, properties: { identifier: flag } },
        webauthn: { type: 'object', additionalProperties: false, properties: { identifier: flag } },
        totp: { type: 'object', additionalProperties: false, properties: { account_name: flag } },
        // Accepted so that schemas written for current Kratos load; these methods have no admin-API effect here.
        code: { type: 'object', additionalProperties: false, properties: { identifier: flag, via: { enum: ['email', 'sms'] } } },
        passkey: { type: 'object', additionalProperties: false, properties: { display_name: flag } },
      },
    },
    verification: { type: 'object', additionalProperties: false, properties: { via: { enum: ['email', 'phone', 'sms'] } } },
    recovery: { type: 'object', additionalProperties: false, properties: { via: { enum: ['email', 'sms'] } } },
    organizations: { type: 'object' },
  },
} as const;

export function emptyDerivations(): TraitDerivations {
  return { credentialIdentifiers: { password: [], webauthn: [] }, verifiableAddresses: [], recoveryAddresses: [] };
}

export type FormatCheck = (format: 'email' | 'tel', value: string) => boolean;

/** The collector of the validation that is running now (Ajv validation is synchronous, so one slot suffices). */
let active: { derivations: TraitDerivations; checkFormat: FormatCheck } | undefined;

export function collectDerivations<T>(checkFormat: FormatCheck, validate: () => T): { result: T; derivations: TraitDerivations } {
  const previous = active;
  const derivations = emptyDerivations();
  active = { derivations, checkFormat };
  try {
    return { result: validate(), derivations };
  } finally {
    active = previous;
  }
}

function pushUnique<V extends string>(list: Array<DerivedAddress<V>>, address: DerivedAddress<V>): void {
  if (!list.some((a) => a.via === address.via && a.value === address.value)) list.push(address);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/**
 * The longest login identifier and address value: what their columns hold (VARCHAR(255)). Kratos gets a database
 * error past it; here it is a validation error on the trait, like a schema's own `maxLength`.
 */
export const IDENTIFIER_MAX_LENGTH = 255;

function tooLong(value: string) {
  const length = [...value].length;
  return length > IDENTIFIER_MAX_LENGTH
    ? { keyword: 'maxLength', message: `length must be <= ${IDENTIFIER_MAX_LENGTH}, but got ${length}`, params: { limit: IDENTIFIER_MAX_LENGTH } }
    : undefined;
}

const validateExtension: SchemaValidateFunction = function kratosExtension(config: ExtensionConfig, data: unknown): boolean {
  if (!active || data === undefined || data === null) return true;
  const { derivations, checkFormat } = active;
  const errors: Array<{ keyword: string; message: string; params: Record<string, unknown> }> = [];
  const text = asText(data);

  // Addresses need text; a non-string value already fails the schema's own `type`.
  const isText = typeof data === 'string';

  for (const type of ['password', 'webauthn'] as const) {
    if (config.credentials?.[type]?.identifier) {
      const identifier = text.trim().toLowerCase();
      const problem = tooLong(identifier);
      if (problem) {
        errors.push(problem);
        break;
      }
      const list = derivations.credentialIdentifiers[type];
      if (identifier && !list.includes(identifier)) list.push(identifier);
    }
  }

  /** Emails are lower-cased and must be emails; phone numbers must pass `tel` and keep their case. */
  const addAddress = <V extends string>(list: Array<DerivedAddress<V>>, via: V | undefined): void => {
    if (!via || !isText) return;
    const value = text.trim();
    const format = via === 'email' ? 'email' : 'tel';
    const problem = tooLong(value);
    if (problem) errors.push(problem);
    else if (!checkFormat(format, value)) errors.push(formatError(text, format));
    else pushUnique(list, { value: format === 'email' ? value.toLowerCase() : value, via });
  };
  addAddress(derivations.verifiableAddresses, config.verification?.via);
  addAddress(derivations.recoveryAddresses, config.recovery?.via);

  if (errors.length > 0) {
    (kratosExtension as SchemaValidateFunction).errors = errors.slice(0, 1);
    return false;
  }
  return true;
};

function formatError(value: string, format: string) {
  return { keyword: 'format', message: `${JSON.stringify(value)} is not valid ${JSON.stringify(format)}`, params: { format } };
}

/** The extension's key in schema documents. */
export const KRATOS_EXTENSION_KEY = 'ory.sh/kratos';
/** Ajv keyword names cannot contain "." or "/", so schemas are compiled with the key renamed to this. */
export const KRATOS_EXTENSION_AJV_KEYWORD = 'x-ory-sh-kratos';

/** Copies a schema document with every `ory.sh/kratos` key renamed to the Ajv keyword. */
export function renameExtensionKeys(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(renameExtensionKeys);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key === KRATOS_EXTENSION_KEY ? KRATOS_EXTENSION_AJV_KEYWORD : key] = renameExtensionKeys(value);
  }
  return out;
}

export const KRATOS_EXTENSION_KEYWORD: KeywordDefinition = {
  keyword: KRATOS_EXTENSION_AJV_KEYWORD,
  metaSchema: KRATOS_EXTENSION_META_SCHEMA,
  validate: validateExtension,
  errors: true,
};
