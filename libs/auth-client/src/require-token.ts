import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authErrors } from './auth-errors.ts';
import { setBearerChallenge } from './bearer-challenge.ts';
import { bearerTokenOf } from './bearer-header.ts';
import type { VerifiedToken } from './verified-token.ts';

/** What a route asks of its caller's token, beyond being valid for this service. */
export interface TokenRequirement {
  /** Every one of these scopes must have been granted. */
  readonly scopes?: readonly string[];
  /** When given, the token's role must be one of these. */
  readonly roles?: readonly string[];
}

export type TokenHook = (
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<void>;

/**
 * A route hook that refuses the request unless it carries a valid access token for this service
 * with the scopes and role asked for, and sets `request.token`. Use it as `onRequest` so a body
 * is never parsed for a caller who is not allowed in (as `preHandler` it works the same).
 * Needs the bearerTokens plugin registered on the app.
 */
export function requireToken(requirement: TokenRequirement = {}): TokenHook {
  const scopes = Object.freeze([...(requirement.scopes ?? [])]);
  const roles = requirement.roles === undefined ? undefined : new Set(requirement.roles);

  return async function checkToken(this: FastifyInstance, request, reply) {
    try {
      const token = await verifyRequest(this, request);
      assertScopes(token, scopes);
      assertRole(token, roles);
      request.token = token;
    } catch (error) {
      setBearerChallenge(reply, error, scopes);
      throw error;
    }
  };
}

/**
 * The verified token of a request on a route guarded by requireToken. Calling it elsewhere is a
 * programming mistake, so it throws a TypeError rather than answering 401.
 */
export function verifiedToken(request: FastifyRequest): VerifiedToken {
  if (request.token === null) {
    throw new TypeError(`route ${request.routeOptions.url ?? ''} is not guarded by requireToken`);
  }

  return request.token;
}

async function verifyRequest(app: FastifyInstance, request: FastifyRequest) {
  if (!app.hasDecorator('tokenVerifier')) {
    throw new TypeError('requireToken needs the bearerTokens plugin registered first');
  }

  return app.tokenVerifier.verify(bearerTokenOf(request.headers.authorization));
}

function assertScopes(token: VerifiedToken, scopes: readonly string[]): void {
  const missing = scopes.filter((scope) => !token.scopes.includes(scope));

  if (missing.length > 0) {
    throw authErrors.create('AUTH_SCOPE_MISSING', { params: { scopes: missing.join(' ') } });
  }
}

function assertRole(token: VerifiedToken, roles: ReadonlySet<string> | undefined): void {
  if (roles !== undefined && (token.role === undefined || !roles.has(token.role))) {
    throw authErrors.create('AUTH_ROLE_FORBIDDEN');
  }
}
