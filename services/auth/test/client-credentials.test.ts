import { discoverServiceClient } from '@footfall/testing';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { oauthErrorOf } from './oauth-clients.ts';

const customer = 'urn:footfall:customer';

describe('client credentials with resource indicators', () => {
  let server: AuthServer;
  let ingestion: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer();
    ingestion = await discoverServiceClient(server, 'tracking-ingestion');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('issues an ES256 JWT for exactly the one requested resource, with its scope', async () => {
    const tokens = await client.clientCredentialsGrant(ingestion, {
      resource: customer,
      scope: 'customer:read',
    });
    const jwks = createRemoteJWKSet(new URL(ingestion.serverMetadata().jwks_uri ?? ''));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: server.issuer,
      audience: customer,
      algorithms: ['ES256'],
    });

    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload.aud).toBe(customer);
    expect(payload).toMatchObject({ client_id: 'tracking-ingestion', sub: 'tracking-ingestion' });
    expect(payload.scope).toBe('customer:read');
    expect((payload.exp ?? 0) - (payload.iat ?? Infinity)).toBeLessThanOrEqual(600);
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
  });

  it('publishes only public keys in the JWKS', async () => {
    const response = await fetch(ingestion.serverMetadata().jwks_uri ?? '');
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };

    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it("leaves out the client's scopes that belong to another resource", async () => {
    const dashboard = await discoverServiceClient(server, 'dashboard');
    const tokens = await client.clientCredentialsGrant(dashboard, {
      resource: customer,
      scope: 'customer:read computation:read',
    });

    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: customer, scope: 'customer:read' });
  });

  it('refuses a scope the client may not hold', async () => {
    const call = client.clientCredentialsGrant(ingestion, {
      resource: customer,
      scope: 'customer:admin',
    });

    expect(await oauthErrorOf(call)).toBe('invalid_scope');
  });

  it('refuses a wrong client secret', async () => {
    const impostor = await discoverServiceClient(server, 'tracking-ingestion', 'x'.repeat(43));
    const call = client.clientCredentialsGrant(impostor, { resource: customer });

    expect(await oauthErrorOf(call)).toBe('invalid_client');
  });

  it.each([
    ['an unknown resource', ['urn:footfall:nowhere']],
    ['a resource the client may not call', ['urn:footfall:auth']],
    ['no resource at all', []],
    ['two resources at once', [customer, 'urn:footfall:tracking-computation']],
  ])('refuses %s', async (_case, resources) => {
    const body = new URLSearchParams(
      resources.map((resource): [string, string] => ['resource', resource]),
    );
    const call = client.clientCredentialsGrant(ingestion, body);

    expect(await oauthErrorOf(call)).toBe('invalid_target');
  });
});
