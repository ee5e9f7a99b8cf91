import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { redactUrl } from './logger-options';

/**
 * One access line per request, written by a Fastify hook rather than by pino-http behind Nest's middleware layer:
 * that layer (@fastify/middie, a child logger per request, redaction of every request object) cost more than the
 * handler on the cheap routes. Health probes are not logged: they run every few seconds and would drown the rest.
 * The line keeps pino-http's shape (`req`, `res`, `responseTime`, "request completed") for existing log queries.
 */
export function installAccessLog(fastify: FastifyInstance): void {
  /**
   * The root logger without its redaction: an access line holds only the fields written below, the URL already
   * redacted, and matching REDACTED_PATHS' wildcards against every line cost as much as writing it.
   */
  let accessLogger: PinoLogger['logger'] | undefined;
  fastify.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    if (url.startsWith('/health/')) return done();
    const status = reply.statusCode;
    // 503 is an outage or a stop, logged once per interval by the error filter: its access lines are warnings.
    const level = status === 503 ? 'warn' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    const logger = (accessLogger ??= PinoLogger.root.child({}, { redact: { paths: [] } }));
    if (logger.isLevelEnabled(level)) {
      logger[level](
        { req: { id: request.id, method: request.method, url: redactUrl(url) }, res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}
