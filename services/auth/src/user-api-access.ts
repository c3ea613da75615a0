import { authErrors as tokenErrors } from '@footfall/auth-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OidcServer } from './oidc-server.ts';
import { findResourceServer } from './resource-servers.ts';

/** The resource the user API answers as; its tokens are opaque and resolved here. */
export const userApiResource = 'urn:footfall:auth';
export const userApiScope = 'auth:users:write';

/**
 * Guards the internal user API: a client-credentials token issued by this server for this
 * resource, unexpired, with the user-administration scope. The token is looked up in the
 * database, so revoking it takes effect at once. Answers with the same codes as every other
 * protected service (docs/errors.md).
 */
export function requireUserApiToken(oidc: OidcServer) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = bearerOf(request.headers.authorization);
    if (presented === undefined) {
      reply.header('www-authenticate', 'Bearer');
      throw tokenErrors.create('AUTH_TOKEN_MISSING');
    }

    const token = await oidc.provider.ClientCredentials.find(presented).catch(() => undefined);
    if (token === undefined || token.isExpired || !isForUserApi(token.aud)) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw tokenErrors.create('AUTH_TOKEN_INVALID');
    }

    const scopes = (token.scope ?? '').split(' ');
    if (!scopes.includes(userApiScope)) {
      reply.header(
        'www-authenticate',
        `Bearer error="insufficient_scope", scope="${userApiScope}"`,
      );
      throw tokenErrors.create('AUTH_SCOPE_MISSING', { params: { scopes: userApiScope } });
    }
  };
}

function isForUserApi(audience: unknown): boolean {
  return [audience].flat().length === 1 && [audience].flat()[0] === userApiResource;
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');

  return match?.[1];
}

// The definition this guard relies on; failing here at import beats a guard that never passes.
if (findResourceServer(userApiResource)?.scopes[userApiScope] === undefined) {
  throw new TypeError(`${userApiResource} must define the ${userApiScope} scope`);
}
