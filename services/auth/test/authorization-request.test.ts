import {
  cliRedirect,
  dashboardRedirect,
  discoverPublicClient,
  discoverServiceClient,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';

describe('authorization requests (RFC 9700 settings)', () => {
  let server: AuthServer;
  let cli: client.Configuration;
  let dashboard: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer();
    cli = await discoverPublicClient(server, 'footfall-cli');
    dashboard = await discoverServiceClient(server, 'dashboard');
  });

  afterAll(async () => {
    await server?.close();
  });

  const valid = async (overrides: Record<string, string> = {}) => ({
    redirect_uri: cliRedirect,
    scope: 'openid',
    state: client.randomState(),
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    ...overrides,
  });

  it('accepts a PKCE S256 request and sends the browser to the sign-in page', async () => {
    const response = await send(client.buildAuthorizationUrl(cli, await valid()));
    const location = new URL(response.headers.get('location') ?? '', server.url);

    expect(response.status).toBe(303);
    expect(location.pathname).toMatch(/^\/interaction\//);
  });

  it('refuses a request without code_challenge, for a confidential client too', async () => {
    const parameters = await valid({ redirect_uri: dashboardRedirect });
    const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = parameters;

    const response = await send(client.buildAuthorizationUrl(dashboard, withoutPkce));

    expect(errorAtRedirect(response, dashboardRedirect)).toBe('invalid_request');
  });

  it('refuses code_challenge_method=plain', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const parameters = await valid({ code_challenge: verifier, code_challenge_method: 'plain' });

    const response = await send(client.buildAuthorizationUrl(cli, parameters));

    expect(errorAtRedirect(response, cliRedirect)).toBe('invalid_request');
  });

  // RFC 8252: a native client's loopback redirect may use any port, nothing else may vary.
  it.each([
    ['dashboard', dashboardRedirect.replace('callback', 'callbacK')],
    ['dashboard', `${dashboardRedirect}/`],
    ['footfall-cli', cliRedirect.replace('callback', 'callbac')],
  ])('refuses %s with a redirect_uri one character off: %s', async (clientId, redirectUri) => {
    const configuration = clientId === 'dashboard' ? dashboard : cli;
    const parameters = await valid({ redirect_uri: redirectUri });

    const response = await send(client.buildAuthorizationUrl(configuration, parameters));

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_redirect_uri');
  });

  // A Content-Security-Policy cannot name an IPv6 address, so the pages' form-action could not
  // let the browser through to it: the CLI registers the IPv4 loopback only.
  it("refuses the CLI's IPv6 loopback redirect, which the pages' CSP cannot allow", async () => {
    const parameters = await valid({ redirect_uri: 'http://[::1]:53682/callback' });

    const response = await send(client.buildAuthorizationUrl(cli, parameters));

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_redirect_uri');
  });

  it.each([
    ['token', 'unsupported_response_type'],
    ['code token', 'unsupported_response_type'],
    ['id_token', 'unsupported_response_type'],
  ])('refuses the implicit response_type=%s', async (responseType, error) => {
    const parameters = await valid({ response_type: responseType });

    const response = await send(client.buildAuthorizationUrl(cli, parameters));

    expect(errorAtRedirect(response, cliRedirect)).toBe(error);
  });

  it('refuses the password grant', async () => {
    const response = await fetch(dashboard.serverMetadata().token_endpoint ?? '', {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'someone',
        password: 'anything',
        client_id: 'dashboard',
        client_secret: server.clients.find((c) => c.id === 'dashboard')?.secret ?? '',
      }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

function send(url: URL): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

/** The `error` the provider sent back to the client's redirect URI (and only there). */
function errorAtRedirect(response: Response, redirectUri: string): string | null {
  const location = new URL(response.headers.get('location') ?? 'http://invalid/');

  expect(response.status).toBe(303);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  // Implicit-style response types answer in the fragment, the code flow in the query.
  const fragment = new URLSearchParams(location.hash.slice(1));
  return location.searchParams.get('error') ?? fragment.get('error');
}
