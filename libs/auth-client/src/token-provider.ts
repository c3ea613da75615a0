// Plain fetch rather than openid-client: a client-credentials grant is one form POST and
// discovery one GET, both short enough to read in full here. openid-client would add a runtime
// dependency (and its oauth4webapi core) to every service for flows services never run; it stays
// a test dependency, where it plays the independent OAuth client against the auth server.
import { discoverTokenEndpoint } from './issuer-discovery.ts';
import {
  type ClientAuthMethod,
  type IssuedToken,
  requestClientCredentialsToken,
} from './token-endpoint.ts';

export interface TokenProviderOptions {
  /** The token endpoint. Give this or `issuer`, not both. */
  readonly tokenEndpoint?: string | URL;
  /** The issuer, whose discovery metadata names the token endpoint. */
  readonly issuer?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * How the secret is sent. Footfall's auth service registers its service clients with
   * `client_secret_post`. @default 'client_secret_post'
   */
  readonly tokenEndpointAuthMethod?: ClientAuthMethod;
  /** The resource identifier (RFC 8707) of the service the token is for: its audience. */
  readonly resource: string;
  /** Scopes to ask for, as a list or space-separated. */
  readonly scope: string | readonly string[];
  /**
   * How long before expiry a new token is fetched, while the current one is still handed out.
   * Capped at half the token's lifetime. @default 60000
   */
  readonly refreshBeforeExpiryMs?: number;
  /** How long one token request may take. @default 5000 */
  readonly timeoutMs?: number;
  /** Milliseconds since the epoch; tests pass their own clock. @default Date.now */
  readonly clock?: () => number;
}

/** Hands out a client-credentials access token for one resource, fetched once and reused. */
export interface TokenProvider {
  /**
   * A token valid for at least a few more seconds. Concurrent callers share one request; a token
   * close to expiry is still returned while its replacement is fetched in the background.
   * Rejects with a coded AppError (`AUTH_CLIENT_REJECTED`, `AUTH_TOKEN_REQUEST_REFUSED`,
   * `AUTH_SERVER_UNAVAILABLE`, `AUTH_SERVER_RESPONSE_INVALID`).
   */
  getToken(): Promise<string>;
  /** Aborts a request in flight and forgets the token; getToken then throws. */
  close(): void;
}

/** A token this close to expiry is not handed out: it could expire on the way. */
const expiryMarginMs = 5_000;

/** After a failed background refresh, wait this long before trying again. */
const retryAfterFailureMs = 2_000;

/**
 * Creates a client-credentials token provider. It never logs; errors carry the OAuth error code
 * in their cause but never the secret or a token.
 *
 * @example
 * const tokens = createTokenProvider({ issuer, clientId, clientSecret,
 *   resource: 'urn:footfall:customer', scope: ['customer:read'] });
 * await fetch(url, { headers: { authorization: `Bearer ${await tokens.getToken()}` } });
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const settings = checkOptions(options);
  const clock = options.clock ?? Date.now;
  const controller = new AbortController();
  let endpoint: Promise<URL> | undefined;
  let current: IssuedToken | undefined;
  let pending: Promise<IssuedToken> | undefined;
  let quietUntil = 0;

  function tokenEndpoint(): Promise<URL> {
    endpoint ??= discoverTokenEndpoint(settings.issuer, controller.signal).catch((error) => {
      endpoint = undefined;
      throw error;
    });
    return endpoint;
  }

  async function fetchToken(): Promise<IssuedToken> {
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(settings.timeoutMs)]);
    const url = settings.tokenEndpoint ?? (await tokenEndpoint());
    return requestClientCredentialsToken({ ...settings, tokenEndpoint: url, now: clock(), signal });
  }

  function refresh(): Promise<IssuedToken> {
    pending ??= fetchToken()
      .then((token) => {
        current = controller.signal.aborted ? undefined : token;
        return token;
      })
      .catch((error: unknown) => {
        quietUntil = clock() + retryAfterFailureMs;
        throw error;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  async function getToken(): Promise<string> {
    if (controller.signal.aborted) {
      throw new TypeError('the token provider is closed');
    }

    const now = clock();
    if (current !== undefined && now < current.expiresAt - expiryMarginMs) {
      if (now >= refreshAt(current, settings.refreshBeforeExpiryMs) && now >= quietUntil) {
        // The current token is still good; a failed early refresh is retried on a later call.
        refresh().catch(() => {});
      }
      return current.value;
    }

    return (await refresh()).value;
  }

  function close(): void {
    controller.abort();
    current = undefined;
  }

  return Object.freeze({ getToken, close });
}

function refreshAt(token: IssuedToken, refreshBeforeExpiryMs: number): number {
  const lifetime = token.expiresAt - token.issuedAt;
  return token.expiresAt - Math.min(refreshBeforeExpiryMs, lifetime / 2);
}

interface Settings {
  readonly tokenEndpoint: URL | undefined;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authMethod: ClientAuthMethod;
  readonly resource: string;
  readonly scope: string;
  readonly refreshBeforeExpiryMs: number;
  readonly timeoutMs: number;
}

function checkOptions(options: TokenProviderOptions): Settings {
  const { tokenEndpoint, issuer } = options;

  if ((tokenEndpoint === undefined) === (issuer === undefined)) {
    throw new TypeError('give exactly one of tokenEndpoint and issuer');
  }

  if (options.clientId === '' || options.clientSecret === '' || options.resource === '') {
    throw new TypeError('clientId, clientSecret and resource must not be empty');
  }

  return {
    tokenEndpoint: tokenEndpoint === undefined ? undefined : new URL(tokenEndpoint),
    issuer: issuer ?? '',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    authMethod: options.tokenEndpointAuthMethod ?? 'client_secret_post',
    resource: options.resource,
    scope: typeof options.scope === 'string' ? options.scope : options.scope.join(' '),
    refreshBeforeExpiryMs: options.refreshBeforeExpiryMs ?? 60_000,
    timeoutMs: options.timeoutMs ?? 5_000,
  };
}
