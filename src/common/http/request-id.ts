import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's `X-Request-ID`, which Kratos copies into `error.request`; undefined when the caller sent none. */
export function requestIdOf(request: FastifyRequest | IncomingMessage): string | undefined {
  const value = request.headers[REQUEST_ID_HEADER];
  const id = Array.isArray(value) ? value[0] : value;
  return id && id.length <= 200 ? id : undefined;
}

/** Request id for logs: the caller's when given, otherwise a fresh one. */
export function genRequestId(request: IncomingMessage): string {
  return requestIdOf(request) ?? randomUUID();
}
