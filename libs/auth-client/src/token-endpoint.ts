import { authErrors } from './auth-errors.ts';

/** How the client proves its identity at the token endpoint (RFC 6749 section 2.3.1). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** A token as the provider keeps it: the value and when the server says it stops working. */
export interface IssuedToken {
  readonly value: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface TokenRequest {
  readonly tokenEndpoint: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authMethod: ClientAuthMethod;
  readonly resource: string;
  readonly scope: string;
  readonly now: number;
  readonly signal: AbortSignal;
}

/** OAuth error codes that mean our own credentials are wrong, not what we asked for. */
const credentialErrors = new Set(['invalid_client', 'unauthorized_client']);

/**
 * One client-credentials grant (RFC 6749 section 4.4) with an RFC 8707 resource indicator.
 * Failures become coded AppErrors whose causes carry the server's OAuth error code, never the
 * secret or a token.
 */
export async function requestClientCredentialsToken(request: TokenRequest): Promise<IssuedToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    resource: request.resource,
    scope: request.scope,
  });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };

  if (request.authMethod === 'client_secret_post') {
    form.set('client_id', request.clientId);
    form.set('client_secret', request.clientSecret);
  } else {
    headers.authorization = basicCredentials(request.clientId, request.clientSecret);
  }

  const response = await fetch(request.tokenEndpoint, {
    method: 'POST',
    headers,
    body: form,
    signal: request.signal,
  }).catch((cause: unknown) => {
    throw authErrors.create('AUTH_SERVER_UNAVAILABLE', { cause });
  });

  const body = await readJson(response);

  if (!response.ok) {
    throw refusal(response.status, body);
  }

  return toIssuedToken(body, request.now);
}

/** RFC 6749 asks for both parts form-encoded before base64, so `:` or `%` in a secret survive. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encoded = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  return `Basic ${Buffer.from(encoded).toString('base64')}`;
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (cause) {
    if (response.status >= 500) {
      throw authErrors.create('AUTH_SERVER_UNAVAILABLE', { cause });
    }

    throw authErrors.create('AUTH_SERVER_RESPONSE_INVALID', { cause });
  }
}

function refusal(status: number, body: unknown) {
  const oauthError = isRecord(body) && typeof body.error === 'string' ? body.error : 'unknown';
  const cause = new Error(`token endpoint answered ${status} with error ${oauthError}`);

  // A rate limit (the auth service answers 429 temporarily_unavailable) passes, like an outage:
  // the caller may try again later, while a refusal would answer the same every time.
  if (status >= 500 || status === 429 || oauthError === 'temporarily_unavailable') {
    return authErrors.create('AUTH_SERVER_UNAVAILABLE', { cause });
  }

  if (status === 401 || credentialErrors.has(oauthError)) {
    return authErrors.create('AUTH_CLIENT_REJECTED', { cause });
  }

  return authErrors.create('AUTH_TOKEN_REQUEST_REFUSED', { cause });
}

function toIssuedToken(body: unknown, now: number): IssuedToken {
  const valid =
    isRecord(body) &&
    typeof body.access_token === 'string' &&
    body.access_token.length > 0 &&
    typeof body.token_type === 'string' &&
    body.token_type.toLowerCase() === 'bearer' &&
    typeof body.expires_in === 'number' &&
    body.expires_in > 0;

  if (!valid) {
    throw authErrors.create('AUTH_SERVER_RESPONSE_INVALID');
  }

  const lifetimeMs = (body.expires_in as number) * 1000;
  return { value: body.access_token as string, issuedAt: now, expiresAt: now + lifetimeMs };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
