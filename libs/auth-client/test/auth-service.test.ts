import { AppError } from '@footfall/service-kit';
import {
  type AuthServiceProcess,
  obtainPersonToken,
  obtainServiceToken,
  secretOf,
  startAuthService,
} from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../src/index.ts';
import { buildProtectedApp, type ProtectedApp } from './protected-app.ts';

// The customer service's resource; ProtectedApp's GET /stores asks for `stores:read`, which the
// auth server does not know, so this suite guards its own route with `customer:read`.
const customerResource = 'urn:footfall:customer';

let auth: AuthServiceProcess;
let customer: ProtectedApp;

beforeAll(async () => {
  // The real auth service, as its own process: nothing of its code is imported here.
  auth = await startAuthService();
  customer = await buildProtectedApp({
    issuer: auth.issuer,
    jwksUrl: auth.jwksUrl,
    audience: customerResource,
    requiredScope: 'customer:read',
  });
});

afterAll(async () => {
  await customer?.app.close();
  await auth?.close();
});

function callCustomer(token: string) {
  return customer.app.inject({
    method: 'GET',
    url: '/stores',
    headers: { authorization: `Bearer ${token}` },
  });
}

/** A token through this library's own provider, the way a service obtains one. */
async function providerToken(
  clientId: string,
  resource: string,
  scopes: string[],
  secret?: string,
) {
  const provider = createTokenProvider({
    issuer: auth.issuer,
    clientId,
    clientSecret: secret ?? secretOf(auth, clientId),
    resource,
    scope: scopes,
  });

  try {
    return await provider.getToken();
  } finally {
    provider.close();
  }
}

describe('against the real auth service', () => {
  it("accepts the token provider's token for the customer service's audience", async () => {
    const token = await providerToken('tracking-ingestion', customerResource, ['customer:read']);

    const response = await callCustomer(token);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      subject: 'tracking-ingestion',
      clientId: 'tracking-ingestion',
      scopes: ['customer:read'],
    });
  });

  it('accepts a token that openid-client obtained, independently of the token provider', async () => {
    const token = await obtainServiceToken(auth, {
      clientId: 'dashboard',
      resource: customerResource,
      scopes: ['customer:read'],
    });

    expect((await callCustomer(token)).statusCode).toBe(200);
  });

  it("refuses the dashboard's token for tracking-computation at the customer service (T2)", async () => {
    const token = await obtainServiceToken(auth, {
      clientId: 'dashboard',
      resource: 'urn:footfall:tracking-computation',
      scopes: ['computation:read'],
    });

    const response = await callCustomer(token);

    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });

  it('reports a resource the client may not have as AUTH_TOKEN_REQUEST_REFUSED', async () => {
    const refused = providerToken('tracking-ingestion', 'urn:footfall:auth', ['auth:users:write']);

    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'AUTH_TOKEN_REQUEST_REFUSED' });
  });

  it('reports a wrong secret as AUTH_CLIENT_REJECTED', async () => {
    const refused = providerToken('customer', 'urn:footfall:auth', ['auth:users:write'], 'not-it');

    await expect(refused).rejects.toMatchObject({ code: 'AUTH_CLIENT_REJECTED' });
  });

  it("lets a platform admin's signed-in token through a role-limited route, not a customer user's", async () => {
    const request = { resource: customerResource, scopes: ['customer:read'] };
    const admin = await obtainPersonToken(auth, { ...request, role: 'platform-admin' });
    const user = await obtainPersonToken(auth, { ...request, role: 'customer-user' });

    const asAdmin = await removeCustomer(admin.accessToken);
    const asCustomerUser = await removeCustomer(user.accessToken);

    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json()).toEqual({ role: 'platform-admin' });
    expect(asCustomerUser.statusCode).toBe(403);
    expect(asCustomerUser.json().code).toBe('AUTH_ROLE_FORBIDDEN');
  });

  it("carries a customer user's customer id from the real sign-in into the verified token", async () => {
    const customerId = crypto.randomUUID();
    const { accessToken, person } = await obtainPersonToken(auth, {
      role: 'customer-user',
      customerId,
      resource: customerResource,
      scopes: ['customer:read'],
    });

    const verified = await customer.app.tokenVerifier.verify(accessToken);

    expect(verified).toMatchObject({ subject: person.id, role: 'customer-user', customerId });
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
    obtainServiceToken(auth, {
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
      issuer: auth.issuer,
      jwksUrl: auth.jwksUrl,
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
    const token = await obtainServiceToken(auth, {
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
