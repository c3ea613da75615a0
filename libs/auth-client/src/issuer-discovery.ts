import { authErrors } from './auth-errors.ts';

/**
 * Finds the token endpoint from the issuer's OpenID Provider metadata. The metadata must name
 * the same issuer (OpenID Connect Discovery section 4.3), so a misdirected URL cannot hand us
 * another server's endpoint.
 */
export async function discoverTokenEndpoint(issuer: string, signal: AbortSignal): Promise<URL> {
  const metadataUrl = new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const response = await fetch(metadataUrl, {
    headers: { accept: 'application/json' },
    signal,
  }).catch((cause: unknown) => {
    throw authErrors.create('AUTH_SERVER_UNAVAILABLE', { cause });
  });

  if (!response.ok) {
    const cause = new Error(`discovery answered ${response.status}`);
    throw authErrors.create('AUTH_SERVER_UNAVAILABLE', { cause });
  }

  const metadata: unknown = await response.json().catch(() => undefined);
  return readTokenEndpoint(metadata, issuer);
}

function readTokenEndpoint(metadata: unknown, issuer: string): URL {
  const record = typeof metadata === 'object' && metadata !== null ? metadata : {};
  const { issuer: named, token_endpoint: endpoint } = record as Record<string, unknown>;

  if (named !== issuer || typeof endpoint !== 'string' || !URL.canParse(endpoint)) {
    const cause = new Error('discovery metadata names another issuer or no token endpoint');
    throw authErrors.create('AUTH_SERVER_RESPONSE_INVALID', { cause });
  }

  return new URL(endpoint);
}
