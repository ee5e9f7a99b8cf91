import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../http/request-id';
import { redactUrl } from '../logging/logger-options';
import { mapErrorToEnvelope } from './error-to-envelope';

/**
 * The one place where every failed request gets Kratos's `{"error":{…}}` envelope: thrown ApiErrors, Nest's
 * HttpExceptions (unknown routes, validation) and Fastify's own errors, which Nest routes here too.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, unexpected } = mapErrorToEnvelope(exception, requestIdOf(request));
    if (unexpected) {
      // Type, message and stack only: driver errors carry the statement's parameters, which may hold secrets.
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        { err: { type: err.name, message: err.message, stack: err.stack }, req_id: request.id, method: request.method, url: redactUrl(request.url) },
        'request failed unexpectedly',
      );
    }
    if (reply.sent) return;
    void reply
      .code(status)
      .header('content-type', 'application/json')
      .header('cache-control', 'private, no-cache, no-store, must-revalidate')
      .send(body);
  }
}
