import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../http/request-id';
import { redactUrl } from '../logging/logger-options';
import { errorEnvelope } from './api-error';
import { mapErrorToEnvelope } from './error-to-envelope';
import { OncePer } from '../logging/once-per';

/** An outage is logged once per failure class per this interval, however many requests fail. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * The one place where every failed request gets Kratos's `{"error":{…}}` envelope: thrown ApiErrors, Nest's
 * HttpExceptions (unknown routes, validation) and Fastify's own errors, which Nest routes here too.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');
  private readonly outages = new OncePer(OUTAGE_LOG_INTERVAL_MS);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, unexpected, headers, outage } = mapErrorToEnvelope(exception, requestIdOf(request));
    if (outage) {
      const suppressed = this.outages.take(outage);
      if (suppressed !== undefined) {
        this.logger.warn({ class: outage, suppressed }, `database unavailable (${outage}): answering 503`);
      }
    }
    if (unexpected) {
      // Type, message and stack only: driver errors carry the statement's parameters, which may hold secrets.
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        { err: { type: err.name, message: err.message, stack: err.stack }, req_id: request.id, method: request.method, url: redactUrl(request.url) },
        'request failed unexpectedly',
      );
    }
    if (reply.sent) return;
    if (headers) void reply.headers(headers);
    sendErrorEnvelope(reply, status, body);
  }
}

export function sendErrorEnvelope(reply: FastifyReply, status: number, body: unknown): void {
  void reply.code(status).header('content-type', 'application/json').header('cache-control', 'private, no-cache, no-store, must-revalidate').send(body);
}

/**
 * Fastify's router refuses a malformed URL (400) or an over-long route parameter (414) before any Nest code runs, so
 * the filter above never sees them; they get the same envelope here (Fastify's own JSON body before NestJS 12, and
 * another shape from NestJS 12's default handler: neither is Kratos's).
 */
export function sendRouterErrorEnvelope(error: { statusCode?: number; message: string }, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  sendErrorEnvelope(reply, status, errorEnvelope(status, { reason: error.message }, requestIdOf(request)));
}
