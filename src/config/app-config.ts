import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeSuspect, findSuspectSettings, probableSetting, SuspectSetting } from './misspelt-settings';
import { placeholderReason } from './placeholder-secrets';
import { commaList, ConfigError } from './sections/config-section';
import { databaseSection } from './sections/database.section';
import { eventsSection } from './sections/events.section';
import { hasherSection, identitySection } from './sections/identity.section';
import { redisSection } from './sections/redis.section';
import { recoverySection, selfServiceSection, sessionSection, throttleSection } from './sections/self-service.section';
import { adminApiKeysSection, envSection, httpSection, logSection, memorySection, metricsApiKeysSection, shutdownSection } from './sections/server.section';

export { ConfigError } from './sections/config-section';
export type { DatabaseConfig } from './sections/database.section';
export type { EventSubscriber } from './sections/events.section';
export { BUNDLED_DEFAULT_SCHEMA_PATH, type IdentitySchemaSource } from './sections/identity.section';
export type { RedisConfig, RedisNode } from './sections/redis.section';

/**
 * The configuration, section by section (src/config/sections/): each section declares its settings with their zod
 * schemas and builds its part of AppConfig from them, so a setting is written once and AppConfig's type follows.
 * The order is the order settings are checked in (the first problem is reported).
 */
const SECTIONS = {
  env: envSection,
  http: httpSection,
  adminApiKeys: adminApiKeysSection,
  metricsApiKeys: metricsApiKeysSection,
  log: logSection,
  database: databaseSection,
  shutdown: shutdownSection,
  memory: memorySection,
  redis: redisSection,
  events: eventsSection,
  hasher: hasherSection,
  session: sessionSection,
  selfService: selfServiceSection,
  recovery: recoverySection,
  throttle: throttleSection,
  identity: identitySection,
} as const;

type Sections = typeof SECTIONS;
type SectionValues = { [K in keyof Sections]: z.output<Sections[K]['schema']> };

export type AppConfig = { [K in keyof Sections]: ReturnType<Sections[K]['build']> } & {
  /**
   * What the configuration got probably wrong outside production, where it is not an error: variables that look
   * like misspelt settings, placeholder secrets. For the caller to log at boot; production refuses all of them.
   */
  warnings: string[];
};

/** Settings about reading settings, not part of AppConfig. */
const META_SETTINGS = {
  /** Comma-separated variables that other software sets and that look like misspelt settings: not reported. */
  CONFIG_IGNORE_VARIABLES: z.string().optional(),
};

const SECTION_SETTING_NAMES = Object.values(SECTIONS).flatMap((section) => Object.keys(section.schema.shape));

/** The names of every setting the service reads; docker-compose and docs are checked against this list. */
export const CONFIG_SETTING_NAMES: readonly string[] = [...SECTION_SETTING_NAMES, ...Object.keys(META_SETTINGS), 'CONFIG_FILE'];

/** Parses every section's settings; the first problem (in section order) is a ConfigError naming the setting. */
function parseSections(settings: Record<string, string>): SectionValues {
  const values: Partial<Record<keyof Sections, unknown>> = {};
  for (const [key, section] of Object.entries(SECTIONS) as Array<[keyof Sections, Sections[keyof Sections]]>) {
    const result = section.schema.safeParse(settings);
    if (!result.success) {
      const issue = result.error.issues[0];
      const name = String(issue.path[0]);
      // Never echo values that may be secrets (keys, passwords inside URLs).
      const secret = /SECRET|KEYS|PASSWORD|_URL$/.test(name);
      throw new ConfigError(`${name}: ${issue.message}${secret ? '' : ` (got ${JSON.stringify(settings[name])})`}`);
    }
    values[key] = result.data;
  }
  return values as SectionValues;
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
function placeholderProblems(settings: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const value = settings[name];
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
  for (const key of SECTION_SETTING_NAMES) {
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
  const v = parseSections(merged);
  if (production && merged.DATABASE_URL === undefined) {
    throw new ConfigError(
      'DATABASE_URL: required in production (mysql://user:pass@host:3306/db, or an explicit sqlite://path); the SQLite file under ./data is a development default only',
    );
  }
  if (production && !v.recovery.RECOVERY_SECRET) {
    throw new ConfigError('RECOVERY_SECRET: required in production (at least 32 characters; the same on every replica)');
  }
  const placeholders = placeholderProblems(merged);
  if (production && placeholders.length > 0) throw new ConfigError(placeholders[0]);

  const none = {} as Record<string, never>;
  const http = SECTIONS.http.build(v.http, none);
  const redis = SECTIONS.redis.build(v.redis, none);
  return {
    env: SECTIONS.env.build(v.env, none),
    warnings: [...suspects, ...placeholders.map((p) => `${p} (production refuses it)`)],
    http,
    adminApiKeys: SECTIONS.adminApiKeys.build(v.adminApiKeys, none),
    metricsApiKeys: SECTIONS.metricsApiKeys.build(v.metricsApiKeys, none),
    throttle: SECTIONS.throttle.build(v.throttle, none),
    log: SECTIONS.log.build(v.log, none),
    shutdown: SECTIONS.shutdown.build(v.shutdown, none),
    memory: SECTIONS.memory.build(v.memory, none),
    database: SECTIONS.database.build(v.database, none),
    redis,
    events: SECTIONS.events.build(v.events, { redis }),
    identity: SECTIONS.identity.build(v.identity, none),
    session: SECTIONS.session.build(v.session, none),
    selfService: SECTIONS.selfService.build(v.selfService, { http }),
    recovery: SECTIONS.recovery.build(v.recovery, none),
    hasher: SECTIONS.hasher.build(v.hasher, none),
  };
}
