import { LogFormat, resolveLogFormat } from '../common/logging/log-format';
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseGoDuration } from '../common/duration/go-duration';
import { EVENT_TYPES, EventType } from '../events/event-catalogue';
import { describeSuspect, findSuspectSettings, probableSetting, SuspectSetting } from './misspelt-settings';
import { placeholderReason } from './placeholder-secrets';

/** Where the bundled quickstart schema lives, both under ts-jest (src/) and after `nest build` (dist/). */
export const BUNDLED_DEFAULT_SCHEMA_PATH = join(__dirname, '..', 'schema', 'bundled', 'quickstart-email-password.schema.json');

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const databaseUrl = z
  .string()
  .refine((v) => /^(mysql|mariadb):\/\/.+/.test(v) || /^sqlite:(\/\/.+|:memory:)$/.test(v), {
    error: 'must be mysql://user:pass@host:port/db, sqlite://path or sqlite::memory:',
  });

/** A Go duration ("15m", "1h30m") as Kratos configures lifespans; parsed to milliseconds. */
function goDuration(name: string) {
  return z.string().transform((value, ctx) => {
    const ms = parseGoDuration(value);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a positive Go duration such as 30m or 24h` });
      return z.NEVER;
    }
    return ms;
  });
}

const httpUrl = z.url().refine((v) => /^https?:\/\//.test(v), { error: 'must be an http(s) URL' });

const identitySchemaSource = z.object({
  id: z.string().min(1),
  url: z.string().refine((v) => /^(file|base64|https?):\/\//.test(v), {
    error: 'must start with file://, base64:// or http(s)://',
  }),
});

/** The raw settings as read from the environment (or the optional YAML file), all strings. */
const rawConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_PORT: port.default(4433),
  ADMIN_PORT: port.default(4434),
  PUBLIC_BASE_URL: httpUrl.optional(),
  ADMIN_BASE_URL: httpUrl.optional(),
  ADMIN_API_KEYS: z.string().optional(),
  BODY_LIMIT_BYTES: positiveInt.default(10 * 1024 * 1024),
  PUBLIC_BODY_LIMIT_BYTES: positiveInt.default(256 * 1024),
  BODY_MAX_DEPTH: positiveInt.max(1000).default(64),
  BODY_MAX_ELEMENTS: positiveInt.default(200_000),
  HTTP_REQUEST_TIMEOUT: goDuration('HTTP_REQUEST_TIMEOUT').prefault('30s'),
  METRICS_API_KEYS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),

  DATABASE_URL: databaseUrl.default('sqlite://./data/kratos.sqlite'),
  DATABASE_AUTO_MIGRATE: booleanFlag.prefault('true'),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  DATABASE_TX_RETRIES: nonNegativeInt.default(3),
  DATABASE_CONNECT_MAX_WAIT: goDuration('DATABASE_CONNECT_MAX_WAIT').prefault('5m'),
  DATABASE_CONNECT_TIMEOUT: goDuration('DATABASE_CONNECT_TIMEOUT').prefault('5s'),
  DATABASE_QUERY_TIMEOUT: goDuration('DATABASE_QUERY_TIMEOUT').prefault('10s'),
  DATABASE_ACQUIRE_TIMEOUT: goDuration('DATABASE_ACQUIRE_TIMEOUT').prefault('10s'),
  /** Galera: `SET SESSION wsrep_sync_wait = N` on every service connection; unset leaves the server's value. */
  DATABASE_WSREP_SYNC_WAIT: z.coerce.number().int().min(0).max(15).optional(),
  SHUTDOWN_DRAIN_DELAY: z.string().transform((value, ctx) => {
    const ms = value === '0' ? 0 : parseGoDuration(value);
    if (ms === undefined || ms < 0) {
      ctx.addIssue({ code: 'custom', message: 'SHUTDOWN_DRAIN_DELAY must be 0 or a Go duration such as 5s' });
      return z.NEVER;
    }
    return ms;
  }).prefault('5s'),
  SHUTDOWN_TIMEOUT: goDuration('SHUTDOWN_TIMEOUT').prefault('15s'),

  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), { error: 'must be redis://host:port[/db] or rediss://…' })
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: z.string().optional(),
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_MASTER: z.string().min(1).default('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: booleanFlag.prefault('false'),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9._:{}-]+$/, 'may contain letters, digits, ".", "_", ":", "-", "{" and "}" only').default('kratos'),
  EVENTS_QUEUE: z.string().regex(/^[A-Za-z0-9._{}-]+$/, 'may contain letters, digits, ".", "_", "-", "{" and "}" only').default('kratos-events'),
  EVENTS_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9._{}-]+$/, 'may contain letters, digits, ".", "_", "-", "{" and "}" only').optional(),
  EVENTS_SOURCE: z.string().min(1).default(`urn:kratos-nest:${hostname()}`),
  EVENTS_RELAY_ENABLED: booleanFlag.prefault('true'),
  EVENTS_RELAY_INTERVAL_MS: positiveInt.default(500),
  EVENTS_RELAY_BATCH_SIZE: positiveInt.max(5000).default(500),
  EVENTS_RELAY_MAX_BACKOFF_MS: positiveInt.default(30_000),
  EVENTS_KEEP_COMPLETED_SECONDS: positiveInt.default(7 * 24 * 3600),
  EVENTS_OUTBOX_RETENTION_SECONDS: positiveInt.default(7 * 24 * 3600),
  EVENTS_SUBSCRIBERS: z.string().optional(),
  EVENTS_JOB_ATTEMPTS: positiveInt.max(100).default(5),
  EVENTS_WAIT_REPLICAS: nonNegativeInt.max(16).default(0),

  HASHER_ALGORITHM: z.enum(['argon2id', 'bcrypt']).default('argon2id'),
  HASHER_ARGON2_MEMORY_KIB: positiveInt.min(8).max(4 * 1024 * 1024).default(19 * 1024),
  HASHER_ARGON2_ITERATIONS: positiveInt.max(100).default(2),
  HASHER_ARGON2_PARALLELISM: positiveInt.max(64).default(1),
  HASHER_BCRYPT_COST: positiveInt.min(4).max(31).default(12),
  HASHER_CONCURRENCY: positiveInt.max(256).default(Math.max(availableParallelism(), 1)),

  SESSION_LIFESPAN: goDuration('SESSION_LIFESPAN').prefault('24h'),
  SESSION_COOKIE_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'may contain letters, digits, ".", "_" and "-" only').default('ory_kratos_session'),
  SELFSERVICE_FLOW_LIFESPAN: goDuration('SELFSERVICE_FLOW_LIFESPAN').prefault('1h'),
  PASSWORD_MIN_LENGTH: positiveInt.max(1024).default(8),
  TRUST_PROXY: booleanFlag.prefault('false'),
  PRIVILEGED_SESSION_MAX_AGE: goDuration('PRIVILEGED_SESSION_MAX_AGE').prefault('1h'),
  RECOVERY_LINK_ENABLED: booleanFlag.prefault('true'),
  RECOVERY_CODE_ENABLED: booleanFlag.prefault('true'),
  RECOVERY_LIFESPAN: goDuration('RECOVERY_LIFESPAN').prefault('1h'),
  RECOVERY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RECOVERY_CODE_THROTTLE_PER_IDENTITY: positiveInt.default(10),
  RECOVERY_CODE_THROTTLE_WINDOW: goDuration('RECOVERY_CODE_THROTTLE_WINDOW').prefault('1h'),
  LOGIN_THROTTLE_PER_IDENTIFIER: positiveInt.default(10),
  LOGIN_THROTTLE_PER_ADDRESS: positiveInt.default(100),
  LOGIN_THROTTLE_WINDOW: goDuration('LOGIN_THROTTLE_WINDOW').prefault('15m'),
  RECOVERY_UI_URL: httpUrl.optional(),
  SETTINGS_UI_URL: httpUrl.optional(),
  ALLOWED_RETURN_URLS: z.string().optional(),

  IDENTITY_SCHEMAS: z.string().optional(),
  IDENTITY_DEFAULT_SCHEMA_ID: z.string().min(1).default('default'),

  /** Comma-separated variables that other software sets and that look like misspelt settings: not reported. */
  CONFIG_IGNORE_VARIABLES: z.string().optional(),
});

export type RawConfig = z.infer<typeof rawConfigSchema>;

/** The names of every setting the service reads; docker-compose and docs are checked against this list. */
export const CONFIG_SETTING_NAMES: readonly string[] = [...Object.keys(rawConfigSchema.shape), 'CONFIG_FILE'];

export interface IdentitySchemaSource {
  id: string;
  url: string;
}

export interface EventSubscriber {
  queue: string;
  /** Event types this queue receives; undefined means all. */
  types?: string[];
}

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Which Redis: one node (`url`, which also carries credentials, TLS and the database number), a Redis Cluster (`nodes`
 * to start from) or a Sentinel set (`sentinels` watching `masterName`). `username`, `password` and `tls` apply to the
 * data nodes of a cluster or of a Sentinel set; `keyPrefix` starts the service's own keys (attempt limits).
 */
export type RedisConfig = { keyPrefix: string; url: string; username?: string; password?: string; tls: boolean } & (
  | { mode: 'single' }
  | { mode: 'cluster'; nodes: RedisNode[] }
  | { mode: 'sentinel'; sentinels: RedisNode[]; masterName: string; sentinelPassword?: string }
);

export type DatabaseConfig =
  | { type: 'mysql'; url: string; poolSize: number }
  | { type: 'sqlite'; path: string };

export interface AppConfig {
  env: RawConfig['NODE_ENV'];
  /**
   * What the configuration got probably wrong outside production, where it is not an error: variables that look
   * like misspelt settings, placeholder secrets. For the caller to log at boot; production refuses all of them.
   */
  warnings: string[];
  http: {
    host: string;
    publicPort: number;
    adminPort: number;
    publicBaseUrl: string;
    adminBaseUrl: string;
    bodyLimitBytes: number;
    /** The body limit on the public port, where anyone can send one. */
    publicBodyLimitBytes: number;
    /** JSON bodies nested deeper, or with more values in all, are refused before they are parsed. */
    bodyMaxDepth: number;
    bodyMaxElements: number;
    /** A request must have arrived completely within this time. */
    requestTimeoutMs: number;
    /** Take the client address from X-Forwarded-For (behind a load balancer or mesh sidecar). */
    trustProxy: boolean;
  };
  adminApiKeys: string[];
  /** Tokens that open /metrics only. */
  metricsApiKeys: string[];
  /** Failed attempts allowed per key over a sliding window, across replicas. */
  throttle: {
    login: { perIdentifier: number; perAddress: number; windowMs: number };
    recoveryCode: { perIdentity: number; windowMs: number };
  };
  /** `format`: resolved from LOG_FORMAT (`auto` is pretty on a terminal, JSON otherwise). */
  log: { level: RawConfig['LOG_LEVEL']; format: LogFormat };
  /**
   * `connectMaxWaitMs`: how long a start waits for the database; `connectTimeoutMs`, `acquireTimeoutMs` and
   * `queryTimeoutMs` bound each connection attempt, each wait for a pooled connection and each query, so that a frozen
   * server fails requests (503) instead of hanging them.
   */
  database: DatabaseConfig & { autoMigrate: boolean; transactionRetries: number; connectMaxWaitMs: number; connectTimeoutMs: number; queryTimeoutMs: number; acquireTimeoutMs: number; wsrepSyncWait?: number };
  /** The graceful stop: serve this long after SIGTERM while not ready, then wait at most `timeoutMs` for requests. */
  shutdown: { drainDelayMs: number; timeoutMs: number };
  /** `keyPrefix`: the start of the service's own keys (attempt limits), so that deployments can share a Redis. */
  redis: RedisConfig;
  events: {
    queue: string;
    /** BullMQ's key prefix (`bull`, its default; on a cluster `{bull}`, a hash tag, so that each queue's keys share a slot). */
    queuePrefix: string;
    source: string;
    relayEnabled: boolean;
    relayIntervalMs: number;
    relayBatchSize: number;
    relayMaxBackoffMs: number;
    keepCompletedSeconds: number;
    outboxRetentionSeconds: number;
    /** How often BullMQ retries a job whose consumer failed (exponential backoff from one second). */
    jobAttempts: number;
    /**
     * Redis replicas that must confirm (WAIT) a batch before its outbox rows count as published: with 1, a master
     * that dies right after taking a batch cannot lose it (its replica, promoted, has it). 0 trusts the master.
     */
    waitReplicas: number;
    /** Extra queues, each receiving every event or only the listed types. */
    subscribers: EventSubscriber[];
  };
  identity: { schemas: IdentitySchemaSource[]; defaultSchemaId: string };
  session: { lifespanMs: number; cookieName: string; privilegedMaxAgeMs: number };
  selfService: {
    flowLifespanMs: number;
    passwordMinLength: number;
    recoveryUiUrl: string;
    settingsUiUrl: string;
    /** Prefixes a `return_to` URL must start with. */
    allowedReturnUrls: string[];
  };
  recovery: {
    linkEnabled: boolean;
    codeEnabled: boolean;
    lifespanMs: number;
    /** Key of the HMAC that recovery codes and link tokens are stored as; undefined means "generate one" (development). */
    secret?: string;
  };
  hasher: {
    algorithm: 'argon2id' | 'bcrypt';
    argon2: { memoryKiB: number; iterations: number; parallelism: number };
    bcryptCost: number;
    concurrency: number;
  };
}

export class ConfigError extends Error {}

function parseDatabase(url: string, poolSize: number): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    return { type: 'sqlite', path: url === 'sqlite::memory:' ? ':memory:' : url.slice('sqlite://'.length) };
  }
  return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), poolSize };
}

function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** A zod issue's path as it reads in a JSON setting: `[0].url`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function parseSchemas(raw: string | undefined, defaultId: string): IdentitySchemaSource[] {
  if (raw === undefined || raw.trim() === '') {
    return [{ id: 'default', url: `file://${BUNDLED_DEFAULT_SCHEMA_PATH}` }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('IDENTITY_SCHEMAS: must be a JSON list of {"id","url"} objects');
  }
  const result = z.array(identitySchemaSource).min(1).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issuePath(issue.path);
    throw new ConfigError(`IDENTITY_SCHEMAS${where}: ${issue.message}`);
  }
  const ids = new Set<string>();
  for (const s of result.data) {
    if (ids.has(s.id)) throw new ConfigError(`IDENTITY_SCHEMAS: schema id "${s.id}" is listed twice`);
    ids.add(s.id);
  }
  if (!ids.has(defaultId)) {
    throw new ConfigError(`IDENTITY_DEFAULT_SCHEMA_ID: "${defaultId}" is not one of the ids in IDENTITY_SCHEMAS`);
  }
  return result.data;
}

const queueName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'may contain letters, digits, ".", "_" and "-" only');

function parseSubscribers(raw: string | undefined, defaultQueue: string): EventSubscriber[] {
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('EVENTS_SUBSCRIBERS: must be a JSON list of {"queue", "types"?} objects');
  }
  const result = z
    .array(z.strictObject({ queue: queueName, types: z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]])).min(1).optional() }))
    .safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issuePath(issue.path);
    throw new ConfigError(`EVENTS_SUBSCRIBERS${where}: ${issue.message}`);
  }
  const names = new Set([defaultQueue]);
  for (const s of result.data) {
    if (names.has(s.queue)) throw new ConfigError(`EVENTS_SUBSCRIBERS: queue "${s.queue}" is listed twice (or is EVENTS_QUEUE)`);
    names.add(s.queue);
  }
  return result.data;
}

/** Reads `CONFIG_FILE` (YAML, keys are the setting names) when set; the environment wins over the file. */
function readConfigFile(env: NodeJS.ProcessEnv): Record<string, string> {
  const file = env.CONFIG_FILE;
  if (!file) return {};
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`CONFIG_FILE: ${file} must hold a map of setting names to values`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!CONFIG_SETTING_NAMES.includes(key)) {
      // Every key of the file is meant as a setting, so an unknown one is an error in any environment.
      const meant = probableSetting(key, CONFIG_SETTING_NAMES);
      throw new ConfigError(`CONFIG_FILE: unknown setting ${key} in ${file}${meant ? `; did you mean ${meant}?` : ''}`);
    }
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function ignoredVariables(env: NodeJS.ProcessEnv, file: Record<string, string>): string[] {
  return commaList(env.CONFIG_IGNORE_VARIABLES || file.CONFIG_IGNORE_VARIABLES);
}

/**
 * The environment variables that are not settings but look like misspelt ones (misspelt-settings.ts has the rule),
 * each with the setting it probably meant. loadConfig refuses them in production and lists them in `warnings`
 * elsewhere; this is for a caller that wants them as data. Throws ConfigError, as loadConfig does, on an unreadable
 * CONFIG_FILE.
 */
export function suspectSettings(env: NodeJS.ProcessEnv = process.env): SuspectSetting[] {
  return findSuspectSettings(env, CONFIG_SETTING_NAMES, { ignore: ignoredVariables(env, readConfigFile(env)) });
}

/** Settings that hold secrets and must not be a placeholder in production; comma lists are checked item by item. */
const SECRET_SETTINGS = ['RECOVERY_SECRET', 'ADMIN_API_KEYS', 'METRICS_API_KEYS'] as const;

/** `NAME: … is a placeholder …` for each secret setting that holds one (the value itself is never repeated). */
function placeholderProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const value = raw[name];
    if (value === undefined) continue;
    const items = name === 'RECOVERY_SECRET' ? [value] : commaList(value);
    items.forEach((item, i) => {
      const reason = placeholderReason(item);
      if (reason === undefined) return;
      const which = name === 'RECOVERY_SECRET' ? 'the value' : `key ${i + 1} of ${items.length}`;
      problems.push(`${name}: ${which} is a placeholder (${reason}), not a secret; use a long random value (openssl rand -hex 32)`);
    });
  }
  return problems;
}

/**
 * Builds the validated configuration. Empty strings count as unset, so `FOO=` falls back to the default.
 * Throws ConfigError with a message that starts with the offending setting's name (or with the misspelt name).
 * Outside production, what is probably wrong but not refused there is in `warnings`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const file = readConfigFile(env);
  const merged: Record<string, string> = { ...file };
  for (const key of Object.keys(rawConfigSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const production = merged.NODE_ENV === 'production';
  // First, since a misspelt setting is the likeliest cause of any other error (DATABSE_URL: DATABASE_URL missing).
  const suspects = findSuspectSettings(env, CONFIG_SETTING_NAMES, { ignore: ignoredVariables(env, file) }).map(describeSuspect);
  if (production && suspects.length > 0) {
    throw new ConfigError(
      `${suspects.join(' ')} (In production a variable that looks like a misspelt setting stops the service: rename or remove it, or list it in CONFIG_IGNORE_VARIABLES if other software reads it.)`,
    );
  }
  const result = rawConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0]);
    // Never echo values that may be secrets (keys, passwords inside URLs).
    const secret = /SECRET|KEYS|PASSWORD|_URL$/.test(name);
    throw new ConfigError(`${name}: ${issue.message}${secret ? '' : ` (got ${JSON.stringify(merged[name])})`}`);
  }
  const raw = result.data;
  if (production && merged.DATABASE_URL === undefined) {
    throw new ConfigError(
      'DATABASE_URL: required in production (mysql://user:pass@host:3306/db, or an explicit sqlite://path); the SQLite file under ./data is a development default only',
    );
  }
  if (production && !raw.RECOVERY_SECRET) {
    throw new ConfigError('RECOVERY_SECRET: required in production (at least 32 characters; the same on every replica)');
  }
  const placeholders = placeholderProblems(raw);
  if (production && placeholders.length > 0) throw new ConfigError(placeholders[0]);
  const warnings = [...suspects, ...placeholders.map((p) => `${p} (production refuses it)`)];
  const publicBaseUrl = (raw.PUBLIC_BASE_URL ?? `http://127.0.0.1:${raw.PUBLIC_PORT}`).replace(/\/+$/, '');
  const adminBaseUrl = (raw.ADMIN_BASE_URL ?? `http://127.0.0.1:${raw.ADMIN_PORT}`).replace(/\/+$/, '');
  const adminApiKeys = commaList(raw.ADMIN_API_KEYS);

  return {
    env: raw.NODE_ENV,
    warnings,
    http: {
      host: raw.HOST,
      publicPort: raw.PUBLIC_PORT,
      adminPort: raw.ADMIN_PORT,
      publicBaseUrl,
      adminBaseUrl,
      bodyLimitBytes: raw.BODY_LIMIT_BYTES,
      publicBodyLimitBytes: Math.min(raw.PUBLIC_BODY_LIMIT_BYTES, raw.BODY_LIMIT_BYTES),
      bodyMaxDepth: raw.BODY_MAX_DEPTH,
      bodyMaxElements: raw.BODY_MAX_ELEMENTS,
      requestTimeoutMs: raw.HTTP_REQUEST_TIMEOUT,
      trustProxy: raw.TRUST_PROXY,
    },
    adminApiKeys,
    metricsApiKeys: commaList(raw.METRICS_API_KEYS),
    throttle: {
      login: { perIdentifier: raw.LOGIN_THROTTLE_PER_IDENTIFIER, perAddress: raw.LOGIN_THROTTLE_PER_ADDRESS, windowMs: raw.LOGIN_THROTTLE_WINDOW },
      recoveryCode: { perIdentity: raw.RECOVERY_CODE_THROTTLE_PER_IDENTITY, windowMs: raw.RECOVERY_CODE_THROTTLE_WINDOW },
    },
    log: { level: raw.LOG_LEVEL, format: resolveLogFormat(raw.LOG_FORMAT) },
    shutdown: { drainDelayMs: raw.SHUTDOWN_DRAIN_DELAY, timeoutMs: raw.SHUTDOWN_TIMEOUT },
    database: {
      ...parseDatabase(raw.DATABASE_URL, raw.DATABASE_POOL_SIZE),
      autoMigrate: raw.DATABASE_AUTO_MIGRATE,
      transactionRetries: raw.DATABASE_TX_RETRIES,
      connectMaxWaitMs: raw.DATABASE_CONNECT_MAX_WAIT,
      connectTimeoutMs: raw.DATABASE_CONNECT_TIMEOUT,
      queryTimeoutMs: raw.DATABASE_QUERY_TIMEOUT,
      acquireTimeoutMs: raw.DATABASE_ACQUIRE_TIMEOUT,
      wsrepSyncWait: raw.DATABASE_WSREP_SYNC_WAIT,
    },
    redis: parseRedis(raw),
    events: {
      queue: raw.EVENTS_QUEUE,
      queuePrefix: queuePrefix(raw),
      source: raw.EVENTS_SOURCE,
      relayEnabled: raw.EVENTS_RELAY_ENABLED,
      relayIntervalMs: raw.EVENTS_RELAY_INTERVAL_MS,
      relayBatchSize: raw.EVENTS_RELAY_BATCH_SIZE,
      relayMaxBackoffMs: raw.EVENTS_RELAY_MAX_BACKOFF_MS,
      keepCompletedSeconds: raw.EVENTS_KEEP_COMPLETED_SECONDS,
      outboxRetentionSeconds: raw.EVENTS_OUTBOX_RETENTION_SECONDS,
      jobAttempts: raw.EVENTS_JOB_ATTEMPTS,
      waitReplicas: raw.EVENTS_WAIT_REPLICAS,
      subscribers: parseSubscribers(raw.EVENTS_SUBSCRIBERS, raw.EVENTS_QUEUE),
    },
    identity: {
      schemas: parseSchemas(raw.IDENTITY_SCHEMAS, raw.IDENTITY_DEFAULT_SCHEMA_ID),
      defaultSchemaId: raw.IDENTITY_DEFAULT_SCHEMA_ID,
    },
    session: { lifespanMs: raw.SESSION_LIFESPAN, cookieName: raw.SESSION_COOKIE_NAME, privilegedMaxAgeMs: raw.PRIVILEGED_SESSION_MAX_AGE },
    selfService: {
      flowLifespanMs: raw.SELFSERVICE_FLOW_LIFESPAN,
      passwordMinLength: raw.PASSWORD_MIN_LENGTH,
      recoveryUiUrl: raw.RECOVERY_UI_URL ?? `${publicBaseUrl}/self-service/recovery`,
      settingsUiUrl: raw.SETTINGS_UI_URL ?? `${publicBaseUrl}/self-service/settings`,
      allowedReturnUrls: [publicBaseUrl, ...commaList(raw.ALLOWED_RETURN_URLS)],
    },
    recovery: {
      linkEnabled: raw.RECOVERY_LINK_ENABLED,
      codeEnabled: raw.RECOVERY_CODE_ENABLED,
      lifespanMs: raw.RECOVERY_LIFESPAN,
      secret: raw.RECOVERY_SECRET,
    },
    hasher: {
      algorithm: raw.HASHER_ALGORITHM,
      argon2: {
        memoryKiB: raw.HASHER_ARGON2_MEMORY_KIB,
        iterations: raw.HASHER_ARGON2_ITERATIONS,
        parallelism: raw.HASHER_ARGON2_PARALLELISM,
      },
      bcryptCost: raw.HASHER_BCRYPT_COST,
      concurrency: raw.HASHER_CONCURRENCY,
    },
  };
}

function parseRedisNodes(name: string, value: string): RedisNode[] {
  const nodes = value.split(',').map((v) => v.trim()).filter(Boolean).map((entry) => {
    const m = /^(?:rediss?:\/\/)?([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(entry);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new ConfigError(`${name}: "${entry}" is not host:port`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  });
  if (nodes.length === 0) throw new ConfigError(`${name}: list at least one host:port`);
  return nodes;
}

function parseRedis(raw: RawConfig): RedisConfig {
  const common = { keyPrefix: raw.REDIS_KEY_PREFIX, url: raw.REDIS_URL, username: raw.REDIS_USERNAME, password: raw.REDIS_PASSWORD, tls: raw.REDIS_TLS };
  if (raw.REDIS_CLUSTER_NODES && raw.REDIS_SENTINELS) throw new ConfigError('REDIS_SENTINELS: set either REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
  if (raw.REDIS_CLUSTER_NODES) return { ...common, mode: 'cluster', nodes: parseRedisNodes('REDIS_CLUSTER_NODES', raw.REDIS_CLUSTER_NODES) };
  if (raw.REDIS_SENTINELS) {
    return {
      ...common,
      mode: 'sentinel',
      sentinels: parseRedisNodes('REDIS_SENTINELS', raw.REDIS_SENTINELS),
      masterName: raw.REDIS_SENTINEL_MASTER,
      sentinelPassword: raw.REDIS_SENTINEL_PASSWORD,
    };
  }
  return { ...common, mode: 'single' };
}

/** The hash tag of a Redis key: the part between the first "{" and the next "}", when not empty. */
function hashTag(key: string): string | undefined {
  return /\{([^}]+)\}/.exec(key)?.[1];
}

/**
 * BullMQ's prefix. On a Redis Cluster every key of a queue must hash to one slot (BullMQ's scripts touch several at
 * once), which a hash tag in the prefix or in the queue names ensures; without one the relay would fail with CROSSSLOT.
 */
function queuePrefix(raw: RawConfig): string {
  const cluster = Boolean(raw.REDIS_CLUSTER_NODES);
  const prefix = raw.EVENTS_QUEUE_PREFIX ?? (cluster ? '{bull}' : 'bull');
  if (cluster && !hashTag(prefix)) {
    const queues = [raw.EVENTS_QUEUE, ...parseSubscribers(raw.EVENTS_SUBSCRIBERS, raw.EVENTS_QUEUE).map((q) => q.queue)];
    const untagged = queues.filter((q) => !hashTag(q));
    if (untagged.length > 0) {
      throw new ConfigError(`EVENTS_QUEUE_PREFIX: on a Redis Cluster the prefix ("${prefix}") or every queue name (not: ${untagged.join(', ')}) needs a hash tag such as {bull}`);
    }
  }
  return prefix;
}

