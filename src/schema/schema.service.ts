import { sha256Hex } from '../common/crypto/random-string';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiError } from '../common/errors/api-error';
import { PageRequest } from '../common/pagination/page-pagination';
import { loadSchemaSource } from './schema-source-loader';
import { TraitField, traitFields } from './trait-fields';
import { SchemaRecord, SchemaRepository } from './schema.repository';
import { formatTraitErrors, InvalidSchemaError, TraitError, TraitValidator } from './trait-validator';
import type { TraitDerivations } from './kratos-extension';

export class SchemaConfigError extends Error {}

/** Invalid traits: Kratos's 400 for the admin API, with the structured causes self-service flows turn into messages. */
export class TraitValidationError extends ApiError {
  constructor(readonly errors: TraitError[]) {
    super(400, { reason: formatTraitErrors(errors) });
  }
}

export interface IdentitySchemaDocument {
  id: string;
  /** The document's bytes as loaded. */
  raw: string;
}

/** base64url without padding, which is how Kratos names schemas in `schema_url`. */
export function encodeSchemaId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeSchemaId(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

const VALIDATOR_CACHE_MS = 30_000;

@Injectable()
export class SchemaService implements OnModuleInit {
  private readonly logger = new Logger(SchemaService.name);
  /** Compiled validators by content hash; schema rows are re-read at most every 30 s per id. */
  private readonly validators = new Map<string, TraitValidator>();
  private readonly rowCache = new Map<string, { sha: string; raw: string; at: number }>();

  constructor(
    private readonly schemas: SchemaRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Loads, checks and stores the configured schemas; a broken one stops the boot with its id in the message. */
  async onModuleInit(): Promise<void> {
    const records: SchemaRecord[] = [];
    for (const [position, source] of this.config.identity.schemas.entries()) {
      let content: string;
      try {
        content = await loadSchemaSource(source.url);
      } catch (err) {
        throw new SchemaConfigError(`IDENTITY_SCHEMAS: cannot load schema "${source.id}" from ${source.url}: ${(err as Error).message}`);
      }
      let validator: TraitValidator;
      try {
        validator = TraitValidator.fromJson(content);
      } catch (err) {
        throw new SchemaConfigError(`IDENTITY_SCHEMAS: schema "${source.id}" is not a usable JSON schema: ${(err as Error).message}`);
      }
      const contentSha256 = sha256Hex(content);
      this.validators.set(contentSha256, validator);
      records.push({ id: source.id, url: source.url, content, contentSha256, position });
    }
    await this.schemas.upsertAll(records);
    this.logger.log(`identity schemas: ${records.map((r) => r.id).join(', ')} (default "${this.config.identity.defaultSchemaId}")`);
  }

  get defaultSchemaId(): string {
    return this.config.identity.defaultSchemaId;
  }

  /** `<public base URL>/schemas/<base64url(id)>`, as in Kratos's `schema_url`. */
  schemaUrl(id: string): string {
    return `${this.config.http.publicBaseUrl}/schemas/${encodeSchemaId(id)}`;
  }

  async list(page: PageRequest): Promise<{ items: Array<{ id: string; schema: unknown }>; total: number }> {
    const [total, rows] = await Promise.all([this.schemas.count(), this.schemas.listPage(page.page * page.perPage, page.perPage)]);
    return { total, items: rows.map((r) => ({ id: r.id, schema: JSON.parse(r.content) as unknown })) };
  }

  /** Finds a schema by its id or by the base64url form of its id (the raw id is tried first, as Kratos does). */
  async getDocument(idOrEncoded: string): Promise<IdentitySchemaDocument> {
    let row = await this.schemas.findById(idOrEncoded);
    if (!row) {
      const decoded = decodeSchemaId(idOrEncoded);
      if (decoded !== undefined && decoded !== idOrEncoded) row = await this.schemas.findById(decoded);
    }
    if (!row) throw ApiError.notFound(`Identity schema \`${idOrEncoded}\` could not be found.`);
    return { id: row.id, raw: row.content };
  }

  /**
   * Validates traits against schema `schemaId` and returns what the `ory.sh/kratos` extension derives from them.
   * Throws Kratos's 400 for an unknown schema id or invalid traits.
   */
  async validateTraits(schemaId: string, traits: unknown): Promise<TraitDerivations> {
    const validator = await this.validatorFor(schemaId);
    const result = validator.validateTraits(traits);
    if (!result.valid) throw new TraitValidationError(result.errors);
    return result.derivations;
  }

  /** The schema's leaf trait fields, for self-service forms. */
  async traitFields(schemaId: string): Promise<TraitField[]> {
    const row = await this.cachedRow(schemaId);
    if (!row) throw ApiError.internal(`The JSON Schema "${schemaId}" for this identity's traits could not be found.`);
    return traitFields(JSON.parse(row.raw) as Record<string, unknown>);
  }

  private async validatorFor(schemaId: string): Promise<TraitValidator> {
    const row = await this.cachedRow(schemaId);
    if (!row) throw ApiError.badRequest(`Unable to find JSON Schema ID: ${schemaId}`);
    let validator = this.validators.get(row.sha);
    if (!validator) {
      try {
        validator = TraitValidator.fromJson(row.raw);
      } catch (err) {
        if (err instanceof InvalidSchemaError) throw ApiError.internal(`The JSON Schema "${schemaId}" for this identity's traits could not be used.`);
        throw err;
      }
      this.validators.set(row.sha, validator);
    }
    return validator;
  }

  private async cachedRow(id: string): Promise<{ sha: string; raw: string } | undefined> {
    const cached = this.rowCache.get(id);
    if (cached && Date.now() - cached.at < VALIDATOR_CACHE_MS) return cached;
    const row = await this.schemas.findById(id);
    if (!row) {
      this.rowCache.delete(id);
      return undefined;
    }
    const fresh = { sha: row.contentSha256, raw: row.content, at: Date.now() };
    this.rowCache.set(id, fresh);
    return fresh;
  }
}
