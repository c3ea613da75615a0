import { cliRedirect } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';

describe('auth discovery', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('publishes metadata for the configured issuer with only the code flow and S256', async () => {
    const [first] = server.clients;
    const configuration = await client.discovery(
      new URL(server.issuer),
      first?.id ?? '',
      first?.secret,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    const metadata = configuration.serverMetadata();

    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.grant_types_supported).not.toContain('password');
    expect(metadata.grant_types_supported).not.toContain('implicit');
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_post', 'none']);
    expect(metadata.introspection_endpoint).toBe(`${server.issuer}/token/introspection`);
    expect(metadata.revocation_endpoint).toBe(`${server.issuer}/token/revocation`);
  });

  it('builds every endpoint from the configured issuer, whatever Host the request names', async () => {
    const response = await server.app.inject({
      method: 'GET',
      url: '/oidc/.well-known/openid-configuration',
      headers: { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' },
    });
    const metadata = response.json<Record<string, unknown>>();
    const urls = Object.entries(metadata).filter(
      ([name]) => name.endsWith('_endpoint') || name === 'jwks_uri',
    );

    expect(response.statusCode).toBe(200);
    expect(metadata.issuer).toBe(server.issuer);
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const [name, url] of urls) {
      expect(String(url).startsWith(`${server.issuer}/`), `${name}: ${String(url)}`).toBe(true);
    }
  });

  it('keeps the kit routes beside the provider, and its metrics see provider traffic', async () => {
    const ready = await fetch(`${server.url}/readyz`);
    await fetch(`${server.issuer}/jwks`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();

    expect(ready.status).toBe(200);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/oidc\/\*"/);
  });
});

// What a TLS proxy in front of the service looks like from inside: plain HTTP, an https issuer.
describe('auth discovery behind a TLS proxy', () => {
  const issuer = 'https://auth.footfall.test/oidc';
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({ env: { AUTH_ISSUER: issuer } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('publishes https endpoints and marks the provider’s cookies Secure', async () => {
    const discovery = await server.app.inject({
      method: 'GET',
      url: '/oidc/.well-known/openid-configuration',
    });
    const metadata = discovery.json<{ authorization_endpoint: string }>();
    const authorization = await server.app.inject({
      method: 'GET',
      url: '/oidc/auth',
      query: {
        client_id: 'footfall-cli',
        redirect_uri: cliRedirect,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      },
    });
    const cookies = [authorization.headers['set-cookie'] ?? []].flat();

    expect(metadata.authorization_endpoint).toBe(`${issuer}/auth`);
    expect(authorization.statusCode).toBe(303);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*secure\b/i);
  });
});
