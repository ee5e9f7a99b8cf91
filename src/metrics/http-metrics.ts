import type { FastifyInstance } from 'fastify';
import { Histogram, Registry } from 'prom-client';

/** Request durations by method, route template and status, measured by Fastify from arrival to the last byte. */
export function installHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request durations in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template, not the URL, so that ids do not explode the label set; unknown routes share one label.
    const route = request.routeOptions?.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}
