import type { FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import type { AppConfig } from '../config/app-config';

/** The session cookie (SESSION_COOKIE_NAME, `ory_kratos_session` by default): the one place it is read and set. */

/**
 * The session token the request's session cookie carries, if any. Cookies are parsed here, on the routes that read
 * them, not by a hook on every request (app.factory.ts registers @fastify/cookie with `hook: false`).
 */
export function readSessionCookie(request: FastifyRequest, config: AppConfig): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  request.cookies ??= request.server.parseCookie(header);
  return request.cookies[config.session.cookieName] || undefined;
}

/** Signs a browser in: the session cookie, HTTP-only, `SameSite=Lax`, secure behind HTTPS, until the session expires. */
export function setSessionCookie(reply: FastifyReply, config: AppConfig, session: { token: string; expiresAt: Date }): void {
  reply.setCookie(config.session.cookieName, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.http.publicBaseUrl.startsWith('https://'),
    expires: session.expiresAt,
  });
}
