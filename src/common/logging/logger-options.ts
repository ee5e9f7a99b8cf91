import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { genRequestId } from '../http/request-id';

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
  return url.replace(/([?&](token|code|session_token)=)[^&]*/g, '$1[redacted]');
}

export function loggerOptions(config: AppConfig): Params {
  return {
    // nestjs-pino 5's default route ('{/*splat}') matches nothing under @fastify/middie 9.3.6, which prefixes it with
    // a '/': without this, no request is logged and request-scoped logs lose their request fields.
    forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.log.level,
      genReqId: (req) => genRequestId(req),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Health probes run every few seconds; logging each one drowns everything else. The path is in `originalUrl`:
      // the middleware layer strips the matched route prefix from `url` before this runs.
      autoLogging: { ignore: (req) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').startsWith('/health/') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      },
    },
  };
}
