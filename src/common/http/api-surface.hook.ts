import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorEnvelope } from '../errors/api-error';
import { requestIdOf } from './request-id';

/**
 * Kratos serves two surfaces on two ports: the public one (self-service, whoami, schemas, health) and the
 * admin one (`/admin/*`, schemas, health). Both listeners share one Fastify router, so this hook decides,
 * from the port a request arrived on, whether the path belongs to that surface.
 */
export type PathSurface = 'admin' | 'public' | 'both';

const ADMIN_ONLY = [/^\/admin(\/|$|\?)/, /^\/openapi\.json(\?|$)/, /^\/docs(\/|$|\?)/, /^\/metrics(\?|$)/, /^\/queues(\/|$|\?)/];
const PUBLIC_ONLY = [/^\/self-service(\/|$|\?)/, /^\/sessions(\/|$|\?)/];

export function surfaceOfPath(url: string): PathSurface {
  if (ADMIN_ONLY.some((re) => re.test(url))) return 'admin';
  if (PUBLIC_ONLY.some((re) => re.test(url))) return 'public';
  return 'both';
}

/**
 * Paths that need `Authorization: Bearer <admin key>` when ADMIN_API_KEYS is set: the admin API and everything else
 * only the admin port serves (the queue dashboard, the API document and its UI, the metrics).
 */
function requiresAdminKey(url: string): boolean {
  return /^\/(admin|queues|docs)(\/|$|\?)/.test(url) || /^\/(openapi\.json|openapi\.yaml|metrics)(\?|$)/.test(url);
}

function isMetricsPath(url: string): boolean {
  return /^\/metrics(\?|$)/.test(url);
}

/** Kratos's routers send this on every answer; session tokens travel in login, registration and recovery answers. */
const NO_STORE = 'private, no-cache, no-store, must-revalidate';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * True when the request may see admin details: it came in on the admin port, or (with both surfaces on one port)
     * it carries an admin key or none is configured.
     */
    adminSurface: boolean;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares against every key in constant time (per key), so timing says nothing about which key nearly matched. */
export function adminKeyMatches(authorization: string | undefined, keyDigests: Buffer[]): boolean {
  if (!authorization) return false;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!match) return false;
  const given = digest(match[1]);
  let ok = false;
  for (const key of keyDigests) ok = timingSafeEqual(given, key) || ok;
  return ok;
}

export interface ApiSurfaceOptions {
  publicPort: number;
  adminPort: number;
  adminApiKeys: string[];
  /** Tokens that open /metrics only (a Prometheus scrape token), besides the admin keys. */
  metricsApiKeys: string[];
  /** URLs longer than this are a 414. */
  maxUrlBytes: number;
}

function reject(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.status)
    .header('content-type', 'application/json')
    .send(errorEnvelope(error.status, error, requestIdOf(request)));
}

/**
 * The path the router matched, which is what must be classified: the raw URL may be percent-encoded
 * (`/%61dmin/…` routes to `/admin/…`). Unmatched requests fall back to the decoded path.
 */
export function routedPath(request: Pick<FastifyRequest, 'url' | 'routeOptions'>): string {
  const template = request.routeOptions?.url;
  if (template) return template;
  const path = request.url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function installApiSurfaceHook(fastify: FastifyInstance, options: ApiSurfaceOptions): void {
  const keyDigests = options.adminApiKeys.map(digest);
  const metricsDigests = [...keyDigests, ...options.metricsApiKeys.map(digest)];
  const split = options.publicPort !== options.adminPort;
  fastify.decorateRequest('adminSurface', false);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('cache-control', NO_STORE);
    if (request.raw.url && request.raw.url.length > options.maxUrlBytes) {
      return reject(request, reply, new ApiError(414, { reason: `The URL is longer than ${options.maxUrlBytes} bytes.` }));
    }
    const url = routedPath(request);
    const port = request.raw.socket?.localPort;
    if (split) {
      const surface = surfaceOfPath(url);
      if ((port === options.publicPort && surface === 'admin') || (port === options.adminPort && surface === 'public')) {
        return reject(request, reply, ApiError.notFound());
      }
    }
    let keyChecked: boolean | undefined;
    const hasAdminKey = () => (keyChecked ??= keyDigests.length === 0 || adminKeyMatches(request.headers.authorization, keyDigests));
    request.adminSurface = split ? port === options.adminPort : hasAdminKey();
    if (requiresAdminKey(url) && !hasAdminKey() && !(isMetricsPath(url) && adminKeyMatches(request.headers.authorization, metricsDigests))) {
      return reject(request, reply, ApiError.unauthorized('A valid admin API key is required: send "Authorization: Bearer <key>".'));
    }
    return undefined;
  });
}
