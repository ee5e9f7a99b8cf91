import { z } from 'zod';
import { parseGoDuration } from '../../common/duration/go-duration';

/**
 * One part of AppConfig: the settings it reads (a zod shape, keyed by the setting's name) and how their parsed values
 * become that part. A setting is declared once, in its section; AppConfig's type is inferred from the sections
 * (app-config.ts), so there is no second list of fields to keep in step. `deps` are sections built earlier that this
 * one reads (the UI URLs default to the public base URL, a cluster changes BullMQ's prefix).
 */
export interface ConfigSection<S extends z.ZodRawShape, T, D> {
  readonly schema: z.ZodObject<S>;
  build(values: z.output<z.ZodObject<S>>, deps: D): T;
}

export function defineSection<S extends z.ZodRawShape, T, D = Record<string, never>>(
  shape: S,
  build: (values: z.output<z.ZodObject<S>>, deps: D) => T,
): ConfigSection<S, T, D> {
  return { schema: z.object(shape), build };
}

/** Thrown for every configuration problem; the message starts with the setting's name. */
export class ConfigError extends Error {}

export const port = z.coerce.number().int().min(1).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().min(0);

export const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const httpUrl = z.url().refine((v) => /^https?:\/\//.test(v), { error: 'must be an http(s) URL' });

/** A Go duration ("15m", "1h30m") as Kratos configures lifespans; parsed to milliseconds. `0` only when allowed. */
export function goDuration(name: string, options: { allowZero?: boolean } = {}) {
  return z.string().transform((value, ctx) => {
    const ms = options.allowZero && value === '0' ? 0 : parseGoDuration(value);
    if (ms === undefined || ms < 0 || (ms === 0 && !options.allowZero)) {
      const expected = options.allowZero ? '0 or a Go duration such as 5s' : 'a positive Go duration such as 30m or 24h';
      ctx.addIssue({ code: 'custom', message: `${name} must be ${expected}` });
      return z.NEVER;
    }
    return ms;
  });
}

export function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** A zod issue's path as it reads in a JSON setting: `[0].url`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** A setting that holds a JSON list, checked by `schema`; errors name the setting and the item's path. */
export function parseJsonList<T>(name: string, raw: string, schema: z.ZodType<T>, expected: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name}: must be a JSON list of ${expected} objects`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${name}${issuePath(issue.path)}: ${issue.message}`);
  }
  return result.data;
}
