import { HttpException } from '@nestjs/common';
import { databaseUnavailableClass, refusedValueColumn } from '../../database/database-errors';
import { ApiError, ApiErrorFields, errorEnvelope, FlowResponse } from './api-error';

export interface MappedError {
  /** Set when the database is unavailable: the class of failure, logged once per interval instead of per request. */
  outage?: string;
  status: number;
  body: unknown;
  /** True when the error was not expected (a bug or an outage): it is logged with its stack and answered without internals. */
  unexpected: boolean;
  headers?: Record<string, string>;
}

function fromHttpException(err: HttpException): ApiErrorFields {
  const response = err.getResponse();
  // Fastify's own errors (bad JSON, body too large, bad media type) reach the filter as HttpException(message, status).
  if (typeof response === 'string') return { reason: response };
  if (typeof response === 'object' && response !== null) {
    const r = response as { message?: unknown };
    if (Array.isArray(r.message)) return { reason: r.message.map(String).join('; ') };
    // Nest's router says "Cannot GET /foo"; Kratos answers unknown routes with its plain 404 error.
    if (err.getStatus() === 404 && typeof r.message === 'string' && r.message.startsWith('Cannot ')) return {};
    if (typeof r.message === 'string' && r.message !== err.name) return { reason: r.message };
  }
  return {};
}

export function mapErrorToEnvelope(err: unknown, requestId?: string): MappedError {
  if (err instanceof FlowResponse) return { status: err.status, body: err.body, unexpected: false, headers: err.headers };
  if (err instanceof ApiError) {
    // A deliberate 503 (not ready, stopping) is an answer, not a fault.
    return { status: err.status, body: errorEnvelope(err.status, err, requestId), unexpected: err.status >= 500 && err.status !== 503, headers: err.headers };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return { status, body: errorEnvelope(status, fromHttpException(err), requestId), unexpected: status >= 500 };
  }
  const outage = databaseUnavailableClass(err);
  if (outage) {
    const reason = 'The database is unavailable; try again shortly.';
    return { status: 503, body: errorEnvelope(503, { reason }, requestId), unexpected: false, outage, headers: { 'retry-after': '5' } };
  }
  const column = refusedValueColumn(err);
  if (column) {
    return {
      status: 400,
      body: errorEnvelope(400, { reason: `A value does not fit its column (${column}): it is too long or out of range.` }, requestId),
      unexpected: false,
    };
  }
  return { status: 500, body: errorEnvelope(500, {}, requestId), unexpected: true };
}
