import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier.ts';
import type { VerifiedToken } from './verified-token.ts';

export type BearerTokensOptions = TokenVerifierOptions;

/**
 * Makes this service able to verify bearer access tokens: decorates the app with a verifier for
 * its own audience and every request with `token` (null until a route's requireToken hook has
 * verified one). Routes opt in with requireToken; registering alone protects nothing.
 *
 * @example
 * await app.register(bearerTokens, { issuer, jwksUrl, audience: 'urn:footfall:customer' });
 * app.get('/stores', { onRequest: requireToken({ scopes: ['customer:read'] }) }, listStores);
 */
export const bearerTokens = fastifyPlugin(
  async function registerBearerTokens(app: FastifyInstance, options: BearerTokensOptions) {
    app.decorate('tokenVerifier', createTokenVerifier(options));
    app.decorateRequest('token', null);
  },
  { name: '@footfall/auth-client', fastify: '5.x' },
);

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
  }

  interface FastifyRequest {
    /** The verified access token on routes guarded by requireToken; null elsewhere. */
    token: VerifiedToken | null;
  }
}
