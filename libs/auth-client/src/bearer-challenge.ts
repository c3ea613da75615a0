import { AppError } from '@footfall/service-kit';
import type { FastifyReply } from 'fastify';
import type { AuthErrorCode } from './auth-errors.ts';

/**
 * The `WWW-Authenticate` value for a refused request (RFC 6750 section 3). A request without
 * credentials gets a bare challenge: the RFC asks for no error code when nothing was presented.
 */
export function bearerChallenge(code: AuthErrorCode, scopes: readonly string[] = []): string {
  switch (code) {
    case 'AUTH_TOKEN_MISSING':
      return 'Bearer';
    case 'AUTH_TOKEN_EXPIRED':
      return 'Bearer error="invalid_token", error_description="The access token expired"';
    case 'AUTH_SCOPE_MISSING':
      return `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`;
    case 'AUTH_ROLE_FORBIDDEN':
      return 'Bearer error="insufficient_scope"';
    default:
      return 'Bearer error="invalid_token"';
  }
}

/**
 * Puts the challenge for a refused request on the reply: for this library's 4xx refusals only.
 * A 5xx (keys unavailable) is our outage, not the caller's credentials, so it gets none.
 */
export function setBearerChallenge(
  reply: FastifyReply,
  error: unknown,
  scopes: readonly string[] = [],
): void {
  if (error instanceof AppError && error.statusCode < 500) {
    reply.header('www-authenticate', bearerChallenge(error.code as AuthErrorCode, scopes));
  }
}
