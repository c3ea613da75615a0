import { discoverServiceClient, secretOf } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { oauthErrorOf } from './oauth-clients.ts';
import { counterValue, LogCapture } from './sign-in-session.ts';

const limit = 4;
const burst = 3 * limit;
const customer = 'urn:footfall:customer';

/** A client-credentials request as raw HTTP, so the answer's status and headers can be read. */
function requestToken(server: AuthServer, id: string, endpoint = '/token'): Promise<Response> {
  const form = {
    grant_type: 'client_credentials',
    client_id: id,
    client_secret: secretOf(server, id),
    resource: customer,
    token: 'not-a-token',
  };

  return fetch(`${server.issuer}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

type Unauthenticated = 'wrong secret' | 'secret twice' | 'attested';

/**
 * A client-credentials request that names a client without authenticating as it: with a wrong
 * secret (401 invalid_client); with its secret both in the form and as Basic credentials, which
 * the provider refuses before looking the client up; or with a client attestation this server
 * does not take, refused (400 invalid_request) once the provider has found the client.
 */
function requestUnauthenticated(server: AuthServer, id: string, how: Unauthenticated) {
  const secret = how === 'wrong secret' ? 'not-the-secret' : secretOf(server, id);
  const form = { grant_type: 'client_credentials', client_id: id, resource: customer };
  const attestation = `e30.${Buffer.from(JSON.stringify({ sub: id })).toString('base64url')}.`;
  const headers = {
    'secret twice': { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    attested: { 'oauth-client-attestation': attestation },
    'wrong secret': {},
  }[how];

  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(how === 'attested' ? form : { ...form, client_secret: secret }),
  });
}

async function statusesOf(responses: Promise<Response>[]): Promise<number[]> {
  return Promise.all(
    responses.map(async (pending) => {
      const response = await pending;
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

function limitedCounter(server: AuthServer, kind: string): Promise<number> {
  return counterValue(server, 'auth_token_requests_limited_total', 'limit', kind);
}

describe('token endpoint rate limit per client', () => {
  const logs = new LogCapture();
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({
      logDestination: logs.destination,
      env: {
        AUTH_TOKEN_RATE_LIMIT_PER_CLIENT: String(limit),
        AUTH_TOKEN_RATE_LIMIT_PER_ADDRESS: '1000',
        AUTH_TOKEN_RATE_LIMIT_WINDOW_SECONDS: '3600',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers a burst past the limit with 429, Retry-After and an OAuth error', async () => {
    const responses = await Promise.all(
      Array.from({ length: burst }, () => requestToken(server, 'tracking-ingestion')),
    );
    const refused = responses.filter((response) => response.status === 429);
    const body = await refused[0]?.json();

    expect(responses.filter((response) => response.status === 200)).toHaveLength(limit);
    expect(refused).toHaveLength(burst - limit);
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused[0]?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
  });

  it('limits each client apart, and counts and logs what it refuses', async () => {
    const ingestion = await discoverServiceClient(server, 'tracking-ingestion');
    const other = await discoverServiceClient(server, 'tracking-computation');

    const refusal = await oauthErrorOf(
      client.clientCredentialsGrant(ingestion, { resource: customer }),
    );
    const issued = await client.clientCredentialsGrant(other, { resource: customer });

    expect(refusal).toBe('temporarily_unavailable');
    expect(issued.access_token).toEqual(expect.any(String));
    expect(await limitedCounter(server, 'client')).toBe(burst - limit + 1);
    expect(await limitedCounter(server, 'address')).toBe(0);
    const logged = logs.entries().filter((entry) => entry.msg === 'token rate limit');
    expect(logged).toHaveLength(burst - limit + 1);
    expect(logged[0]).toMatchObject({
      level: 'warn',
      limit: 'client',
      clientId: 'tracking-ingestion',
    });
  });

  it('counts against a client only the requests that authenticated as it', async () => {
    const ways = ['wrong secret', 'secret twice', 'attested'] as const;
    const flood = Array.from(
      { length: burst },
      (_, index) => ways[index % ways.length] ?? 'attested',
    );
    const unauthenticated = await statusesOf(
      flood.map((how) => requestUnauthenticated(server, 'dashboard', how)),
    );
    const authenticated = await statusesOf(
      Array.from({ length: limit + 1 }, () => requestToken(server, 'dashboard')),
    );

    expect(unauthenticated).toEqual(flood.map((how) => (how === 'wrong secret' ? 401 : 400)));
    expect(authenticated.sort((a, b) => a - b)).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('token endpoint rate limit per address', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({
      env: {
        AUTH_TOKEN_RATE_LIMIT_PER_ADDRESS: String(limit),
        AUTH_TOKEN_RATE_LIMIT_WINDOW_SECONDS: '3600',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('counts token, introspection and revocation requests from one address together', async () => {
    const endpoints = ['/token', '/token/introspection', '/token/revocation'];
    const clients = ['tracking-ingestion', 'tracking-computation', 'customer'];

    const statuses = await statusesOf(
      Array.from({ length: burst }, (_, index) =>
        requestToken(server, clients[index % 3] ?? '', endpoints[index % 3]),
      ),
    );
    const refusedAfter = await statusesOf([requestToken(server, 'dashboard')]);

    expect(statuses.filter((status) => status !== 429)).toHaveLength(limit);
    expect(refusedAfter).toEqual([429]);
    expect(await limitedCounter(server, 'address')).toBe(burst - limit + 1);
  });

  it('leaves the rest of the provider alone', async () => {
    const discovery = await fetch(`${server.issuer}/.well-known/openid-configuration`);

    expect(discovery.status).toBe(200);
  });
});
