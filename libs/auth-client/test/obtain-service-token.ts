import { createTokenProvider } from '../src/index.ts';

/** What the helper needs of a running auth server: its issuer and the service clients' secrets. */
export interface ServiceClientDirectory {
  readonly issuer: string;
  readonly clients: readonly { readonly id: string; readonly secret: string }[];
}

export interface ServiceTokenRequest {
  /** The calling service's client id, e.g. `tracking-ingestion`. */
  readonly clientId: string;
  /** The resource indicator of the service called, e.g. `urn:footfall:customer`. */
  readonly resource: string;
  readonly scopes: readonly string[];
}

/**
 * A client-credentials access token from a real auth server (see startAuthServer in
 * services/auth/test), obtained the way a service obtains one: through createTokenProvider and
 * the issuer's discovery metadata. Rejects with the provider's coded error when refused.
 *
 * @example
 * const token = await obtainServiceToken(server, {
 *   clientId: 'dashboard', resource: 'urn:footfall:customer', scopes: ['customer:read'] });
 */
export async function obtainServiceToken(
  server: ServiceClientDirectory,
  request: ServiceTokenRequest,
): Promise<string> {
  const secret = server.clients.find((client) => client.id === request.clientId)?.secret;
  if (secret === undefined) {
    throw new TypeError(`the auth server has no service client ${request.clientId}`);
  }

  const provider = createTokenProvider({
    issuer: server.issuer,
    clientId: request.clientId,
    clientSecret: secret,
    resource: request.resource,
    scope: request.scopes,
  });

  try {
    return await provider.getToken();
  } finally {
    provider.close();
  }
}
