import type { FastifyReply } from 'fastify';
import { type AuthErrorCode, authErrors } from './errors.ts';
import { contentSecurityPolicy, type PageSecurity } from './html-pages.ts';
import { renderPageError } from './interaction-pages.ts';

/** Sends one of the auth pages with its strict CSP; pages are never cached (they carry tokens). */
export function sendPage(
  reply: FastifyReply,
  security: PageSecurity,
  statusCode: number,
  html: string,
): FastifyReply {
  return reply
    .code(statusCode)
    .header('content-security-policy', contentSecurityPolicy(security))
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** Sends a catalogued error as a page, with the catalogue's status. */
export function sendPageError(
  reply: FastifyReply,
  security: PageSecurity,
  code: AuthErrorCode,
): FastifyReply {
  return sendPage(reply, security, authErrors.catalogue[code].statusCode, renderPageError(code));
}
