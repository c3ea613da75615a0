import type { ServiceApp } from '@footfall/service-kit';
import type { FastifyReply } from 'fastify';
import { contentSecurityPolicy, type PageSecurity } from './html-pages.ts';
import type { OidcServer } from './oidc-server.ts';

export interface OidcRoutesOptions {
  /** The issuer's path, e.g. `/oidc`; every request under it goes to the provider. */
  readonly mountPath: string;
  readonly oidc: OidcServer;
  /** The provider's pages get the same policy as the sign-in pages. */
  readonly security: PageSecurity;
}

const methods = ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'PUT', 'PATCH'];

/**
 * Hands every request under the issuer's path to oidc-provider as fastify routes, so the kit's
 * request log and metrics see them (by route pattern, never the query string). The provider reads
 * the body itself: this scope's parser leaves the stream untouched.
 */
export async function oidcRoutes(app: ServiceApp, options: OidcRoutesOptions): Promise<void> {
  const { mountPath, oidc } = options;
  const policy = contentSecurityPolicy(options.security);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  for (const url of [mountPath, `${mountPath}/*`]) {
    app.route({
      method: methods,
      url,
      handler: async (request, reply) => {
        reply.hijack();
        writeHeadersSoFar(reply);
        // Replaces helmet's looser default, for the provider's pages and everything else here.
        reply.raw.setHeader('content-security-policy', policy);
        oidc.handle(relativeToMount(request.raw, mountPath), reply.raw, request.log);
      },
    });
  }
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
function relativeToMount(raw: OidcRequest, mountPath: string): OidcRequest {
  raw.originalUrl = raw.url;
  raw.url = (raw.url ?? '/').slice(mountPath.length) || '/';

  return raw;
}
