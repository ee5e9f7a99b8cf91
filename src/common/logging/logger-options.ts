import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { genRequestId } from '../http/request-id';
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
  return url.replace(/([?&](token|code|session_token)=)[^&]*/g, '$1[redacted]');
}

export function loggerOptions(config: AppConfig): Params {
  return {
    // nestjs-pino 5's default route ('{/*splat}') matches nothing under @fastify/middie 9.3.6, which prefixes it with
    // a '/': without this, no request is logged and request-scoped logs lose their request fields.
    forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: config.log.level,
        genReqId: (req) => genRequestId(req),
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        // Health probes run every few seconds; logging each one drowns everything else. The path is in `originalUrl`:
        // the middleware layer strips the matched route prefix from `url` before this runs.
        autoLogging: { ignore: (req) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').startsWith('/health/') },
        // 503 is an outage or a stop, logged once per interval by the error filter: its access lines are warnings.
        customLogLevel: (_req, res, err) =>
          res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        serializers: {
          // pino-http attaches a made-up error ("failed with status code 503") to every 5xx line; its stack says
          // nothing. Real faults are logged with their stack by the error filter.
          err: (err: Error) => ({ type: err.name, message: err.message }),
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        },
      },
      logDestination(config.log.format),
    ],
  };
}
