import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { logDestination } from './log-format';

/** Paths whose values must never reach a log line: credentials, tokens, cookies, codes. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-session-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.hashed_password',
  '*.session_token',
  '*.code',
  '*.token',
];

/** A URL with the values of secret-bearing query parameters (recovery `token`, `code`) replaced. */
export function redactUrl(url: string): string {
  if (!url.includes('token=') && !url.includes('code=')) return url;
  return url.replace(/([?&](token|code|session_token)=)[^&]*/g, '$1[redacted]');
}

/**
 * The application's logger: Nest's Logger writes through this pino instance. No middleware: `forRoutes` is empty, so
 * nestjs-pino adds nothing to the request path (access lines come from access-log.ts, a Fastify hook).
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    forRoutes: [],
    pinoHttp: [
      {
        level: config.log.level,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        serializers: {
          err: (err: Error) => ({ type: err.name, message: err.message }),
        },
      },
      logDestination(config.log.format),
    ],
  };
}
