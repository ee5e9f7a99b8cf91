import { z } from 'zod';
import { EVENT_DEFINITIONS, EVENT_TYPES, EventType } from './event-catalogue';
import { IdentityData } from './event-payloads';

/**
 * JSON Schemas (draft-07) of each event's `data`, and of the CloudEvents envelope. They are the contract for
 * subscribers: asyncapi.yaml is generated from them, and the tests validate every published event against them.
 * The data schemas are generated from the zod schemas of event-payloads.ts (the same source as the payload types);
 * `additionalProperties: false` on every payload, and the ban on `config` in identity credentials, make a leaked
 * secret a schema violation.
 */

type Schema = Record<string, unknown>;

/**
 * Keeps the generated schemas as plain as the hand-written ones they replaced: no `type` beside `enum`/`const` of
 * strings, no `propertyNames` for string-keyed records, no safe-integer bounds on integers, and a nullable array as
 * `type: ['array', 'null']` instead of an `anyOf`.
 */
function simplify(node: Schema): void {
  if (node.type === 'string' && (Array.isArray(node.enum) || typeof node.const === 'string')) delete node.type;
  if (node.type === 'object' && (node.propertyNames as Schema | undefined)?.type === 'string') delete node.propertyNames;
  if (node.type === 'integer' && node.minimum === Number.MIN_SAFE_INTEGER && node.maximum === Number.MAX_SAFE_INTEGER) {
    delete node.minimum;
    delete node.maximum;
  }
  const anyOf = node.anyOf as Schema[] | undefined;
  if (anyOf?.length === 2 && typeof anyOf[0].type === 'string' && anyOf[1].type === 'null' && Object.keys(anyOf[1]).length === 1) {
    const [inner] = anyOf;
    delete node.anyOf;
    Object.assign(node, { ...inner, type: [inner.type, 'null'] }, { ...node });
  }
}

/** Key order of the published schemas (asyncapi.yaml): title and description first when titled, else description last. */
const KEY_ORDER = ['title', 'type', 'format', 'pattern', 'minLength', 'const', 'enum', 'required', 'properties', 'items', 'additionalProperties'];

function ordered(value: unknown, inProperties = false): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Schema;
  if (inProperties) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, ordered(v)]));
  const keys = Object.keys(node).sort((a, b) => rank(a, node) - rank(b, node));
  return Object.fromEntries(keys.map((k) => [k, ordered(node[k], k === 'properties')]));
}

function rank(key: string, node: Schema): number {
  if (key === 'description') return 'title' in node ? 0.5 : KEY_ORDER.length;
  const i = KEY_ORDER.indexOf(key);
  return i === -1 ? KEY_ORDER.length - 0.5 : i;
}

export function toJsonSchema(schema: z.ZodType): Schema {
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'output',
    unrepresentable: 'throw',
    override: (ctx) => simplify(ctx.jsonSchema as Schema),
  }) as Schema;
  return ordered(json) as Schema;
}

export const IDENTITY_DATA_SCHEMA: Schema = toJsonSchema(IdentityData);

const generated = new Map<z.ZodType, Schema>([[IdentityData, IDENTITY_DATA_SCHEMA]]);

/** One JSON Schema per event type; types that share a payload schema share the generated object (asyncapi refs it). */
export const EVENT_DATA_SCHEMAS = Object.fromEntries(
  EVENT_TYPES.map((type) => {
    const source: z.ZodType = EVENT_DEFINITIONS[type].data;
    if (!generated.has(source)) generated.set(source, toJsonSchema(source));
    return [type, generated.get(source)!];
  }),
) as Record<EventType, Schema>;

const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };

/** The CloudEvents 1.0 structured envelope every job's data is; `data` is checked against the type's schema. */
export const CLOUD_EVENT_SCHEMA: Schema = {
  title: 'CloudEvent',
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { ...uuid, description: 'Unique event id, also the BullMQ job id; consumers deduplicate on it' },
    source: { type: 'string', minLength: 1 },
    type: { type: 'string' },
    subject: { type: 'string', description: 'The identity id (identity.* and recovery.*) or the session id (session.*)' },
    time: time,
    datacontenttype: { const: 'application/json' },
    traceparent: {
      type: 'string',
      pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      description: 'W3C trace context of the request that caused the event',
    },
    credentialtype: { type: 'string', description: 'identity.credential.deleted only: the removed credential type' },
    data: { type: 'object' },
  },
  additionalProperties: false,
};
