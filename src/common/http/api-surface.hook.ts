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

/** Paths that need `Authorization: Bearer <admin key>` when ADMIN_API_KEYS is set. */
function requiresAdminKey(url: string): boolean {
  return /^\/(admin|queues)(\/|$|\?)/.test(url);
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
  const split = options.publicPort !== options.adminPort;

  fastify.addHook('onRequest', async (request, reply) => {
    const url = routedPath(request);
    if (split) {
      const port = request.raw.socket?.localPort;
      const surface = surfaceOfPath(url);
      if ((port === options.publicPort && surface === 'admin') || (port === options.adminPort && surface === 'public')) {
        return reject(request, reply, ApiError.notFound());
      }
    }
    if (requiresAdminKey(url)) {
      if (keyDigests.length > 0 && !adminKeyMatches(request.headers.authorization, keyDigests)) {
        return reject(request, reply, ApiError.unauthorized('A valid admin API key is required: send "Authorization: Bearer <key>".'));
      }
      // As Kratos does for every admin route: admin answers must never be cached.
      void reply.header('cache-control', 'private, no-cache, no-store, must-revalidate');
    }
    return undefined;
  });
}
