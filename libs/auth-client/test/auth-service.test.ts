import { AppError } from '@footfall/service-kit';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from '../../../services/auth/test/auth-server.ts';
import { exchangeCode, runCodeFlow } from '../../../services/auth/test/code-flow.ts';
import { createTestUser } from '../../../services/auth/test/test-users.ts';
import { obtainServiceToken } from './obtain-service-token.ts';
import { buildProtectedApp, type ProtectedApp } from './protected-app.ts';

// The customer service's resource; ProtectedApp's GET /stores asks for `stores:read`, which the
// auth server does not know, so this suite guards its own route with `customer:read`.
const customerResource = 'urn:footfall:customer';

let server: AuthServer;
let customer: ProtectedApp;

beforeAll(async () => {
  server = await startAuthServer();
  const discovery = await fetch(`${server.issuer}/.well-known/openid-configuration`);
  const metadata = (await discovery.json()) as { jwks_uri: string };
  customer = await buildProtectedApp({
    issuer: server.issuer,
    jwksUrl: metadata.jwks_uri,
    audience: customerResource,
    requiredScope: 'customer:read',
  });
});

afterAll(async () => {
  await customer?.app.close();
  await server?.close();
});

function callCustomer(token: string) {
  return customer.app.inject({
    method: 'GET',
    url: '/stores',
    headers: { authorization: `Bearer ${token}` },
  });
}

describe('against the real auth server', () => {
  it("accepts a client-credentials token issued for the customer service's audience", async () => {
    const token = await obtainServiceToken(server, {
      clientId: 'tracking-ingestion',
      resource: customerResource,
      scopes: ['customer:read'],
    });

    const response = await callCustomer(token);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      subject: 'tracking-ingestion',
      clientId: 'tracking-ingestion',
      scopes: ['customer:read'],
    });
  });

  it("refuses the dashboard's token for tracking-computation at the customer service (T2)", async () => {
    const token = await obtainServiceToken(server, {
      clientId: 'dashboard',
      resource: 'urn:footfall:tracking-computation',
      scopes: ['computation:read'],
    });

    const response = await callCustomer(token);

    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });

  it('reports a resource the client may not have as AUTH_TOKEN_REQUEST_REFUSED', async () => {
    const refused = obtainServiceToken(server, {
      clientId: 'tracking-ingestion',
      resource: 'urn:footfall:auth',
      scopes: ['auth:users:write'],
    });

    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'AUTH_TOKEN_REQUEST_REFUSED' });
  });

  it('reports a wrong secret as AUTH_CLIENT_REJECTED', async () => {
    const wrong = { issuer: server.issuer, clients: [{ id: 'customer', secret: 'not-it' }] };
    const refused = obtainServiceToken(wrong, {
      clientId: 'customer',
      resource: 'urn:footfall:auth',
      scopes: ['auth:users:write'],
    });

    await expect(refused).rejects.toMatchObject({ code: 'AUTH_CLIENT_REJECTED' });
  });

  it('accepts a token that openid-client obtained, independently of the token provider', async () => {
    const client = server.clients.find((candidate) => candidate.id === 'dashboard');
    const configuration = await oauth.discovery(
      new URL(server.issuer),
      'dashboard',
      { client_secret: client?.secret ?? '', token_endpoint_auth_method: 'client_secret_post' },
      undefined,
      { execute: [oauth.allowInsecureRequests] },
    );
    const tokens = await oauth.clientCredentialsGrant(configuration, {
      resource: customerResource,
      scope: 'customer:read',
    });

    expect((await callCustomer(tokens.access_token)).statusCode).toBe(200);
  });

  it("lets a platform admin's signed-in token through a role-limited route, not a customer user's", async () => {
    const cli = await oauth.discovery(
      new URL(server.issuer),
      'footfall-cli',
      undefined,
      oauth.None(),
      {
        execute: [oauth.allowInsecureRequests],
      },
    );
    const request = {
      configuration: cli,
      redirectUri: 'http://127.0.0.1:53682/callback',
      scope: 'openid customer:read',
      resource: customerResource,
    };
    const signInAs = async (role: 'platform-admin' | 'customer-user') => {
      const person = await createTestUser(server, { role });
      const flow = await runCodeFlow(server, request, person);
      return (await exchangeCode(cli, flow, customerResource)).access_token;
    };

    const asAdmin = await removeCustomer(await signInAs('platform-admin'));
    const asCustomerUser = await removeCustomer(await signInAs('customer-user'));

    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json()).toEqual({ role: 'platform-admin' });
    expect(asCustomerUser.statusCode).toBe(403);
    expect(asCustomerUser.json().code).toBe('AUTH_ROLE_FORBIDDEN');
  });
});

/** A token's three parts, its header and payload decoded. */
function partsOf(token: string) {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

  return { header: decode(header), payload: decode(payload), signature };
}

function encode(part: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

/**
 * Tokens the real auth server issued, then expired, stripped of their signature, altered or
 * sent to the wrong service: the verifier must refuse each one the server's keys cannot vouch for.
 */
describe('refusing what the real auth server did not issue as presented', () => {
  const ingestionToken = () =>
    obtainServiceToken(server, {
      clientId: 'tracking-ingestion',
      resource: customerResource,
      scopes: ['customer:read'],
    });

  it('refuses one of its tokens once it has expired', async () => {
    const token = await ingestionToken();
    const { payload } = partsOf(token);
    const lifetimeMs = (Number(payload.exp) - Number(payload.iat)) * 1000;
    // The same service, its clock past the token's 300 s and the 5 s tolerance.
    const later = await buildProtectedApp({
      issuer: server.issuer,
      jwksUrl: `${server.issuer}/jwks`,
      audience: customerResource,
      requiredScope: 'customer:read',
      clock: () => Date.now() + lifetimeMs + 6_000,
    });

    const now = await callCustomer(token);
    const response = await later.app.inject({
      method: 'GET',
      url: '/stores',
      headers: { authorization: `Bearer ${token}` },
    });
    await later.app.close();

    expect(lifetimeMs).toBe(300_000);
    expect(now.statusCode).toBe(200);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_EXPIRED');
  });

  it('refuses one of its tokens re-headed as alg none, without a signature', async () => {
    const token = await ingestionToken();
    const { header } = partsOf(token);
    const payload = token.split('.')[1] ?? '';

    const response = await callCustomer(`${encode({ ...header, alg: 'none' })}.${payload}.`);

    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });

  it('refuses one of its tokens with a widened scope under the original signature', async () => {
    const token = await ingestionToken();
    const [header] = token.split('.');
    const { payload, signature } = partsOf(token);
    const widened = encode({ ...payload, scope: 'customer:read customer:admin' });

    const response = await callCustomer(`${header}.${widened}.${signature}`);

    // Unchanged, the same re-encoding is the token the server signed, and it is accepted.
    expect((await callCustomer(`${header}.${encode(payload)}.${signature}`)).statusCode).toBe(200);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });

  it("refuses a token it issued for another service's audience", async () => {
    const token = await obtainServiceToken(server, {
      clientId: 'customer',
      resource: 'urn:footfall:tracking-ingestion',
      scopes: ['ingestion:reingest'],
    });

    const response = await callCustomer(token);

    expect(partsOf(token).payload.aud).toBe('urn:footfall:tracking-ingestion');
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });
});

function removeCustomer(token: string) {
  return customer.app.inject({
    method: 'DELETE',
    url: '/customers/1',
    headers: { authorization: `Bearer ${token}` },
  });
}
