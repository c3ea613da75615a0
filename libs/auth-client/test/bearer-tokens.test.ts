import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalIssuer } from './local-issuer.ts';
import { buildProtectedApp, type ProtectedApp } from './protected-app.ts';

const audience = 'https://customer.footfall.test';
const otherAudience = 'https://dashboard.footfall.test';

let issuer: LocalIssuer;
let service: ProtectedApp;

beforeAll(async () => {
  issuer = await LocalIssuer.start();
  service = await buildProtectedApp({
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl,
    audience,
    algorithms: ['ES256', 'EdDSA'],
    jwksCooldownMs: 0,
  });
});

afterAll(async () => {
  await service?.app.close();
  await issuer?.close();
});

function getStores(authorization?: string) {
  const headers = authorization === undefined ? {} : { authorization };
  return service.app.inject({ method: 'GET', url: '/stores', headers });
}

function expectRefusal(
  response: Awaited<ReturnType<typeof getStores>>,
  code: string,
  status: number,
) {
  expect(response.json().code).toBe(code);
  expect(response.statusCode).toBe(status);
}

describe('bearerTokens and requireToken', () => {
  it('accepts a valid token and decorates the request with its claims', async () => {
    const token = await issuer.sign(audience, {
      claims: { sub: 'service-a', client_id: 'service-a', scope: 'stores:read stores:write' },
    });

    const response = await getStores(`Bearer ${token}`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      subject: 'service-a',
      clientId: 'service-a',
      scopes: ['stores:read', 'stores:write'],
    });
  });

  it('leaves unprotected routes open', async () => {
    const response = await service.app.inject({ method: 'GET', url: '/open' });

    expect(response.statusCode).toBe(200);
  });

  it('refuses a request without a token, with a bare Bearer challenge', async () => {
    const response = await getStores();

    expectRefusal(response, 'AUTH_TOKEN_MISSING', 401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('treats another scheme as no bearer token at all', async () => {
    expectRefusal(await getStores('Basic c2VydmljZS1hOnNlY3JldA=='), 'AUTH_TOKEN_MISSING', 401);
  });

  it.each([
    ['an empty bearer value', 'Bearer '],
    ['two values', 'Bearer a.b.c d.e.f'],
    ['not a JWT', 'Bearer not-a-jwt'],
    ['garbage segments', 'Bearer e30.e30.e30'],
  ])('refuses a malformed token: %s', async (_name, header) => {
    const response = await getStores(header);

    expectRefusal(response, 'AUTH_TOKEN_INVALID', 401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  // Every claim is kept, only the scope widened: the signature is all that can catch it.
  it('refuses a token whose payload was changed after signing', async () => {
    const token = await issuer.sign(audience, { claims: { scope: 'stores:read' } });
    const [header, original = '', signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(original, 'base64url').toString()) as JWTPayload;
    const forged = { ...claims, scope: 'stores:read stores:write' };
    const payload = Buffer.from(JSON.stringify(forged)).toString('base64url');
    // Re-encoded unchanged, the claims give back the signed bytes: the scope is the only change.
    expect(Buffer.from(JSON.stringify(claims)).toString('base64url')).toBe(original);

    expectRefusal(
      await getStores(`Bearer ${header}.${payload}.${signature}`),
      'AUTH_TOKEN_INVALID',
      401,
    );
  });

  it('refuses an unsigned token (alg none)', async () => {
    const token = await issuer.sign(audience);
    const payload = token.split('.')[1];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString(
      'base64url',
    );

    expectRefusal(await getStores(`Bearer ${header}.${payload}.`), 'AUTH_TOKEN_INVALID', 401);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const secret = new TextEncoder().encode(await issuer.publicKeyPem());
    const token = await new SignJWT({ sub: 'x', client_id: 'x', scope: 'stores:read' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: issuer.currentKid })
      .setIssuer(issuer.issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(secret);

    expectRefusal(await getStores(`Bearer ${token}`), 'AUTH_TOKEN_INVALID', 401);
  });

  it('refuses an expired token with its own code', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign(audience, { claims: { iat: now - 600, exp: now - 60 } });

    const response = await getStores(`Bearer ${token}`);

    expectRefusal(response, 'AUTH_TOKEN_EXPIRED', 401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('refuses a token that is not valid yet', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign(audience, { claims: { nbf: now + 120 } });

    expectRefusal(await getStores(`Bearer ${token}`), 'AUTH_TOKEN_INVALID', 401);
  });

  it('refuses a token from another issuer', async () => {
    const token = await issuer.sign(audience, { claims: { iss: 'https://evil.example' } });

    expectRefusal(await getStores(`Bearer ${token}`), 'AUTH_TOKEN_INVALID', 401);
  });

  it("refuses service A's token at service B: the audience names another service (T2)", async () => {
    const token = await issuer.sign(otherAudience);

    expectRefusal(await getStores(`Bearer ${token}`), 'AUTH_TOKEN_INVALID', 401);
  });

  it('refuses an ID token or any JWT that is not typed as an access token', async () => {
    const token = await issuer.sign(audience, { typ: 'JWT' });

    expectRefusal(await getStores(`Bearer ${token}`), 'AUTH_TOKEN_INVALID', 401);
  });

  it('refuses a token without a client id', async () => {
    const token = await issuer.sign(audience, { claims: { client_id: undefined } });

    expectRefusal(await getStores(`Bearer ${token}`), 'AUTH_TOKEN_INVALID', 401);
  });

  it('answers 403 with the missing scope when the token lacks it', async () => {
    const token = await issuer.sign(audience, { claims: { scope: 'stores:read' } });

    const response = await service.app.inject({
      method: 'POST',
      url: '/stores',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'x' },
    });

    expectRefusal(response, 'AUTH_SCOPE_MISSING', 403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="stores:write"',
    );
  });

  it('answers 403 when the role is not one the route allows, and passes the right one', async () => {
    const analyst = await issuer.sign(audience, { claims: { role: 'customer-analyst' } });
    const admin = await issuer.sign(audience, { claims: { role: 'platform-admin' } });
    const remove = (token: string) =>
      service.app.inject({
        method: 'DELETE',
        url: '/customers/c-1',
        headers: { authorization: `Bearer ${token}` },
      });

    expectRefusal(await remove(analyst), 'AUTH_ROLE_FORBIDDEN', 403);
    expect((await remove(admin)).json()).toEqual({ role: 'platform-admin' });
  });

  it('never echoes the token in a body or writes it to the log', async () => {
    const token = await issuer.sign(otherAudience);

    const response = await getStores(`Bearer ${token}`);

    expect(response.body).not.toContain(token.split('.')[2]);
    expect(service.logLines.join('\n')).not.toContain(token.split('.')[2]);
  });
});

describe('key rotation', () => {
  it('fetches the key set again for a kid it has not seen, and accepts the new key', async () => {
    const before = issuer.requests.jwks;
    const kid = await issuer.rotate('EdDSA');
    const token = await issuer.sign(audience, { kid });

    const response = await getStores(`Bearer ${token}`);

    expect(response.statusCode).toBe(200);
    expect(issuer.requests.jwks).toBe(before + 1);
  });

  it('refuses a kid that is still unknown after the key set is fetched again', async () => {
    const kid = await issuer.rotate('ES256', false);
    const token = await issuer.sign(audience, { kid });
    const before = issuer.requests.jwks;

    const response = await getStores(`Bearer ${token}`);

    expectRefusal(response, 'AUTH_TOKEN_INVALID', 401);
    expect(issuer.requests.jwks).toBe(before + 1);
  });
});
