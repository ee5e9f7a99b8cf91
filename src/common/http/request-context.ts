import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/** Per-request values that code far from the controller needs (the event recorder reads the trace). */
interface RequestContext {
  traceparent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags, with all-zero ids invalid. */
const TRACEPARENT = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The incoming request's trace, when it carries a valid `traceparent` header (a trace is active). */
export function currentTraceparent(): string | undefined {
  return storage.getStore()?.traceparent;
}

/** Runs every request inside its own context (the hook's `done` continues the request within it). */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.traceparent;
    const traceparent = typeof header === 'string' && TRACEPARENT.test(header.trim().toLowerCase()) ? header.trim().toLowerCase() : undefined;
    storage.run({ traceparent }, done);
  });
}
