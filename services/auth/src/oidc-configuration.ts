import type { JWK } from 'jose';
import {
  type AccessToken,
  type Client,
  type ClientCredentials,
  type ClientMetadata,
  type Configuration,
  errors,
  type FindAccount,
  type KoaContextWithOIDC,
  type RefreshToken,
  type ResourceServer,
} from 'oidc-provider';
import type { AdapterConstructor } from './oidc-adapter.ts';
import { renderProviderError, renderSignedOut, renderSignOut } from './provider-pages.ts';
import {
  accessTokenTtlSeconds,
  allResourceScopes,
  findResourceServer,
  resourceServers,
} from './resource-servers.ts';
import { signingAlgorithm } from './signing-keys.ts';

export interface ProviderSettings {
  readonly adapter: AdapterConstructor;
  readonly clients: ClientMetadata[];
  /** Private signing keys, the current one first. */
  readonly keys: JWK[];
  readonly cookieKeys: readonly string[];
  /** Resolves a signed-in person's account from the user store. */
  readonly findAccount: FindAccount;
  /** Claims added to access tokens issued for a person (role, customer id). */
  readonly accessTokenClaims: NonNullable<Configuration['extraTokenClaims']>;
}

/** The auth app's route for sign-in and consent; outside the provider's mount path. */
export const interactionRoute = '/interaction/:uid';

/** Where the provider sends a browser to sign in; answered by the auth app itself. */
export function interactionPath(uid: string): string {
  return interactionRoute.replace(':uid', encodeURIComponent(uid));
}

/**
 * The provider's configuration, with the RFC 9700 choices made explicit: code flow only, PKCE
 * with S256 for every client, refresh tokens that rotate, audience-bound JWT access tokens.
 */
export function describeProviderConfiguration(settings: ProviderSettings): Configuration {
  return {
    adapter: settings.adapter,
    clients: settings.clients,
    clientDefaults: { id_token_signed_response_alg: signingAlgorithm },
    jwks: { keys: settings.keys },
    cookies: { keys: [...settings.cookieKeys] },
    scopes: ['openid', 'offline_access', ...allResourceScopes()],
    // What authorisation needs rides with the openid scope, in the ID token too.
    claims: { openid: ['sub', 'email', 'role', 'customer_id'] },
    conformIdTokenClaims: false,
    extraTokenClaims: settings.accessTokenClaims,
    responseTypes: ['code'],
    // Only the methods clients are registered with: nothing symmetric-signed, nothing unused.
    clientAuthMethods: ['client_secret_post', 'none'],
    // Every client, confidential ones too; oidc-provider only knows S256 (plain is refused).
    pkce: { required: () => true },
    // A used refresh token is consumed and replaced; presenting it again revokes the whole grant
    // (oidc-provider does that for any consumed refresh token, see test/refresh-rotation).
    rotateRefreshToken: true,
    ttl: tokenLifetimes,
    features: {
      devInteractions: { enabled: false },
      // Sign-out asks first, on a page of ours; a client may send the browser here (GET only).
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: renderSignOut,
        postLogoutSuccessSource: renderSignedOut,
      },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      resourceIndicators: {
        enabled: true,
        defaultResource,
        getResourceServerInfo,
        useGrantedResource: async () => true,
      },
    },
    interactions: { url: async (_ctx, interaction) => interactionPath(interaction.uid) },
    renderError: renderProviderError,
    findAccount: settings.findAccount,
  };
}

// Only the client a token was issued to may revoke it; anyone else is told so, except a public
// client, which gets the RFC 7009 silent success and changes nothing.
async function revocationAllowed(
  _ctx: KoaContextWithOIDC,
  client: Client,
  token: AccessToken | ClientCredentials | RefreshToken,
): Promise<boolean> {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;

  throw new errors.InvalidRequest('only the client a token was issued to may revoke it');
}

/** Seconds; access tokens are short because a JWT cannot be recalled once issued. */
export const tokenLifetimes = {
  AccessToken: accessTokenTtlSeconds,
  ClientCredentials: accessTokenTtlSeconds,
  AuthorizationCode: 60,
  IdToken: 300,
  Interaction: 600,
  Session: 14 * 24 * 3600,
  Grant: 14 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
} as const;

async function getResourceServerInfo(
  _ctx: KoaContextWithOIDC,
  resource: string,
  client: Client,
): Promise<ResourceServer> {
  const server = findResourceServer(resource);
  const scopes = server?.clients[client.clientId];
  if (server === undefined || scopes === undefined) throw new errors.InvalidTarget();

  const info = {
    audience: resource,
    scope: scopes.join(' '),
    accessTokenTTL: accessTokenTtlSeconds,
  };
  if (server.tokenFormat === 'opaque') return { ...info, accessTokenFormat: 'opaque' };

  return { ...info, accessTokenFormat: 'jwt', jwt: { sign: { alg: signingAlgorithm } } };
}

// A service token must name its audience: client credentials without a resource are refused
// rather than issued for no one in particular.
async function defaultResource(
  ctx: KoaContextWithOIDC,
  _client: Client,
  oneOf?: readonly string[],
): Promise<string | readonly string[] | undefined> {
  if (oneOf !== undefined) return oneOf;

  if (ctx.oidc.params?.grant_type === 'client_credentials') {
    throw new errors.InvalidTarget('a resource parameter is required');
  }

  return undefined;
}

// Only authenticated clients, and only for tokens they hold or that are addressed to them, so a
// service cannot learn about tokens meant for others.
async function introspectionAllowed(
  _ctx: KoaContextWithOIDC,
  client: Client,
  token: AccessToken | ClientCredentials | RefreshToken,
): Promise<boolean> {
  if (client.clientAuthMethod === 'none') return false;
  if (token.clientId === client.clientId) return true;

  return resourceServers.some(
    (server) =>
      server.service === client.clientId && 'aud' in token && token.aud === server.resource,
  );
}
