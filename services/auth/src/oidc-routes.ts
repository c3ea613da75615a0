import { Readable } from 'node:stream';
import type { ServiceApp } from '@footfall/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentSecurityPolicy, type PageSecurity } from './html-pages.ts';
import type { OidcServer } from './oidc-server.ts';
import { checkTokenRequests, type TokenRateLimitSettings } from './token-rate-limits.ts';

export interface OidcRoutesOptions {
  /** The issuer's path, e.g. `/oidc`; every request under it goes to the provider. */
  readonly mountPath: string;
  readonly oidc: OidcServer;
  /** The provider's pages get the same policy as the sign-in pages. */
  readonly security: PageSecurity;
  readonly tokenRateLimits: TokenRateLimitSettings;
  /** The registered clients, whose authenticated requests the per-client limit counts. */
  readonly clientIds: readonly string[];
}

const methods = ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'PUT', 'PATCH'];

/** The endpoints a client calls with its credentials, rate limited; relative to the issuer. */
const tokenEndpoints = ['/token', '/token/introspection', '/token/revocation'];

/** oidc-provider refuses larger bodies itself; the token endpoints' parser stops at the same. */
const tokenBodyLimit = 56 * 1024;

/**
 * Hands every request under the issuer's path to oidc-provider as fastify routes, so the kit's
 * request log and metrics see them (by route pattern, never the query string). The provider reads
 * the body itself: this scope's parser leaves the stream untouched, except on the token
 * endpoints, whose form is read first so their rate limit can see the client id.
 */
export async function oidcRoutes(app: ServiceApp, options: OidcRoutesOptions): Promise<void> {
  const { mountPath, oidc } = options;
  const policy = contentSecurityPolicy(options.security);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    writeHeadersSoFar(reply);
    // Replaces helmet's looser default, for the provider's pages and everything else here.
    reply.raw.setHeader('content-security-policy', policy);
    oidc.handle(relativeToMount(request, mountPath), reply.raw, request.log);
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  for (const url of [mountPath, `${mountPath}/*`]) app.route({ method: methods, url, handler });

  await app.register(async (tokens) => {
    tokens.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'buffer', bodyLimit: tokenBodyLimit },
      (_request, body, done) => done(null, body),
    );
    const preHandler = await checkTokenRequests(
      tokens,
      options.tokenRateLimits,
      options.clientIds,
      oidc.authenticatedClientOf,
    );
    for (const endpoint of tokenEndpoints) {
      tokens.route({ method: methods, url: `${mountPath}${endpoint}`, preHandler, handler });
    }
  });
}

// A hijacked reply never sends what the kit's hooks set on it (x-request-id among them), so those
// headers go on the raw response before the provider writes its own.
function writeHeadersSoFar(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
}

type OidcRequest = Parameters<OidcServer['handle']>[0] & { originalUrl?: string | undefined };

// The provider routes relative to where it is mounted, as any Connect-style middleware does.
function relativeToMount(request: FastifyRequest, mountPath: string): OidcRequest {
  const raw: OidcRequest = request.raw;
  raw.originalUrl = raw.url;
  raw.url = (raw.url ?? '/').slice(mountPath.length) || '/';

  return Buffer.isBuffer(request.body) ? readableAgain(raw, request.body) : raw;
}

// A body fastify has read (the token endpoints', for their rate limit) is offered to the provider
// as an unread stream again, so it parses it as its own: handed over as `req.body` instead, it
// works too, but oidc-provider prints a plain-text warning outside the JSON log.
function readableAgain(raw: OidcRequest, body: Buffer): OidcRequest {
  const replay = Readable.from([body]);
  const request: OidcRequest = Object.create(raw);

  Object.defineProperties(request, {
    readable: { get: () => replay.readable },
    iterator: { value: replay.iterator.bind(replay) },
  });
  return request;
}
