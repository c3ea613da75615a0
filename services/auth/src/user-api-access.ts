import {
  bearerTokenOf,
  setBearerChallenge,
  authErrors as tokenErrors,
} from '@footfall/auth-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OidcServer } from './oidc-server.ts';
import { findResourceServer } from './resource-servers.ts';

/** The resource the user API answers as; its tokens are opaque and resolved here. */
export const userApiResource = 'urn:footfall:auth';
export const userApiScope = 'auth:users:write';

/**
 * Guards the internal user API: a client-credentials token issued by this server for this
 * resource, unexpired, with the user-administration scope. The token is looked up in the
 * database, so revoking it takes effect at once. The header is read, and refusals answered, by
 * @footfall/auth-client, so the codes and challenges are those of every protected service.
 */
export function requireUserApiToken(oidc: OidcServer) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await checkUserApiToken(oidc, bearerTokenOf(request.headers.authorization));
    } catch (error) {
      setBearerChallenge(reply, error, [userApiScope]);
      throw error;
    }
  };
}

async function checkUserApiToken(oidc: OidcServer, presented: string): Promise<void> {
  // A database failure propagates as a 5xx: only a token the store does not hold is invalid.
  const token = await oidc.provider.ClientCredentials.find(presented);
  if (token === undefined || token.isExpired || !isForUserApi(token.aud)) {
    throw tokenErrors.create('AUTH_TOKEN_INVALID');
  }

  const scopes = (token.scope ?? '').split(' ');
  if (!scopes.includes(userApiScope)) {
    throw tokenErrors.create('AUTH_SCOPE_MISSING', { params: { scopes: userApiScope } });
  }
}

function isForUserApi(audience: unknown): boolean {
  return [audience].flat().length === 1 && [audience].flat()[0] === userApiResource;
}

// The definition this guard relies on; failing here at import beats a guard that never passes.
if (findResourceServer(userApiResource)?.scopes[userApiScope] === undefined) {
  throw new TypeError(`${userApiResource} must define the ${userApiScope} scope`);
}
