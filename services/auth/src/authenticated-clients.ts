import type { ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

type Middleware = Parameters<Provider['use']>[0];
type Context = Parameters<Middleware>[0];

/** The provider's routes where a client presents its credentials. */
const credentialRoutes = new Set(['token', 'introspection', 'revocation']);

/**
 * Errors the provider answers before, or instead of, taking a client as authenticated: a wrong or
 * missing secret, and a malformed request (duplicate parameters, two ways of authenticating).
 * An authenticated client's own invalid_request is not told apart from these, so it goes uncounted.
 */
const unauthenticatedErrors = new Set(['invalid_client', 'invalid_request']);

/**
 * Which client oidc-provider authenticated for each answer of the token, introspection and
 * revocation endpoints, so the per-client rate limit charges only requests that proved who they
 * are, never ones that merely name a client. Kept per response, since the provider is rebuilt
 * when the signing keys change.
 */
export class AuthenticatedClients {
  readonly #byResponse = new WeakMap<ServerResponse, string>();

  /** A provider middleware: notes the client once the provider has answered. */
  readonly record: Middleware = async (ctx, next) => {
    await next();
    const clientId = authenticatedClient(ctx);

    if (clientId !== undefined) this.#byResponse.set(ctx.res, clientId);
  };

  /** The client the provider authenticated for this response, once it answered; or undefined. */
  of(response: ServerResponse): string | undefined {
    return this.#byResponse.get(response);
  }
}

function authenticatedClient(ctx: Context): string | undefined {
  const { route, client } = ctx.oidc ?? {};
  if (route === undefined || !credentialRoutes.has(route)) return undefined;

  return client !== undefined && passedAuthentication(ctx) ? client.clientId : undefined;
}

// The provider sets the client once it found it, before checking its secret, so the answer tells:
// a success, or an error only an authenticated client gets. An HTML error page, whose code cannot
// be read, counts as not authenticated.
function passedAuthentication(ctx: Context): boolean {
  if (ctx.status < 400) return true;

  const body: unknown = ctx.status < 500 ? ctx.body : undefined;
  const error =
    typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  return typeof error === 'string' && !unauthenticatedErrors.has(error);
}
