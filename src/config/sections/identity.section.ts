import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, defineSection, parseJsonList, positiveInt } from './config-section';

/** Where the bundled quickstart schema lives, both under ts-jest (src/) and after `nest build` (dist/). */
export const BUNDLED_DEFAULT_SCHEMA_PATH = join(__dirname, '..', '..', 'schema', 'bundled', 'quickstart-email-password.schema.json');

export interface IdentitySchemaSource {
  id: string;
  url: string;
}

const identitySchemaSource = z.object({
  id: z.string().min(1),
  url: z.string().refine((v) => /^(file|base64|https?):\/\//.test(v), {
    error: 'must start with file://, base64:// or http(s)://',
  }),
});

function parseSchemas(raw: string | undefined, defaultId: string): IdentitySchemaSource[] {
  if (raw === undefined || raw.trim() === '') {
    return [{ id: 'default', url: `file://${BUNDLED_DEFAULT_SCHEMA_PATH}` }];
  }
  const schemas = parseJsonList('IDENTITY_SCHEMAS', raw, z.array(identitySchemaSource).min(1), '{"id","url"}');
  const ids = new Set<string>();
  for (const s of schemas) {
    if (ids.has(s.id)) throw new ConfigError(`IDENTITY_SCHEMAS: schema id "${s.id}" is listed twice`);
    ids.add(s.id);
  }
  if (!ids.has(defaultId)) {
    throw new ConfigError(`IDENTITY_DEFAULT_SCHEMA_ID: "${defaultId}" is not one of the ids in IDENTITY_SCHEMAS`);
  }
  return schemas;
}

export const identitySection = defineSection(
  {
    IDENTITY_SCHEMAS: z.string().optional(),
    IDENTITY_DEFAULT_SCHEMA_ID: z.string().min(1).default('default'),
  },
  (v) => ({ schemas: parseSchemas(v.IDENTITY_SCHEMAS, v.IDENTITY_DEFAULT_SCHEMA_ID), defaultSchemaId: v.IDENTITY_DEFAULT_SCHEMA_ID }),
);

export const hasherSection = defineSection(
  {
    HASHER_ALGORITHM: z.enum(['argon2id', 'bcrypt']).default('argon2id'),
    HASHER_ARGON2_MEMORY_KIB: positiveInt
      .min(8)
      .max(4 * 1024 * 1024)
      .default(19 * 1024),
    HASHER_ARGON2_ITERATIONS: positiveInt.max(100).default(2),
    HASHER_ARGON2_PARALLELISM: positiveInt.max(64).default(1),
    HASHER_BCRYPT_COST: positiveInt.min(4).max(31).default(12),
    HASHER_CONCURRENCY: positiveInt.max(256).default(Math.max(availableParallelism(), 1)),
  },
  (v) => ({
    algorithm: v.HASHER_ALGORITHM,
    argon2: { memoryKiB: v.HASHER_ARGON2_MEMORY_KIB, iterations: v.HASHER_ARGON2_ITERATIONS, parallelism: v.HASHER_ARGON2_PARALLELISM },
    bcryptCost: v.HASHER_BCRYPT_COST,
    concurrency: v.HASHER_CONCURRENCY,
  }),
);
