import { AppError } from '@footfall/service-kit';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider, type TokenProviderOptions } from '../src/index.ts';
import { LocalIssuer } from './local-issuer.ts';
import { buildProtectedApp, type ProtectedApp } from './protected-app.ts';

const customer = 'https://customer.footfall.test';
const dashboard = 'https://dashboard.footfall.test';
const secret = 'a:secret with % and spaces';

let issuer: LocalIssuer;
let customerService: ProtectedApp;
const providers: { close(): void }[] = [];

beforeAll(async () => {
  issuer = await LocalIssuer.start();
  issuer.clients.set('service-a', {
    secret,
    resources: [customer, dashboard],
    scopes: ['stores:read'],
  });
  customerService = await buildProtectedApp({
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl,
    audience: customer,
  });
});

afterAll(async () => {
  await customerService?.app.close();
  await issuer?.close();
});

afterEach(() => {
  issuer.tokenFailure = undefined;
  for (const provider of providers.splice(0)) {
    provider.close();
  }
});

type Overrides = { [Key in keyof TokenProviderOptions]?: TokenProviderOptions[Key] | undefined };

function provider(overrides: Overrides = {}) {
  const created = createTokenProvider({
    tokenEndpoint: issuer.tokenEndpoint,
    clientId: 'service-a',
    clientSecret: secret,
    resource: customer,
    scope: ['stores:read'],
    ...overrides,
  } as TokenProviderOptions);
  providers.push(created);
  return created;
}

function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
}

describe('createTokenProvider', () => {
  it("obtains a token the target service's protected route accepts", async () => {
    const token = await provider().getToken();

    const response = await customerService.app.inject({
      method: 'GET',
      url: '/stores',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json().clientId).toBe('service-a');
  });

  it("refuses a token obtained for another service's audience (T2)", async () => {
    const token = await provider({ resource: dashboard }).getToken();

    const response = await customerService.app.inject({
      method: 'GET',
      url: '/stores',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });

  it('authenticates with HTTP Basic when asked to', async () => {
    const tokens = provider({ tokenEndpointAuthMethod: 'client_secret_basic' });

    expect(decodeJwt(await tokens.getToken()).client_id).toBe('service-a');
  });

  it('finds the token endpoint through discovery when given the issuer', async () => {
    const before = issuer.requests.discovery;
    const tokens = provider({ tokenEndpoint: undefined, issuer: issuer.issuer });

    await tokens.getToken();
    await tokens.getToken();

    expect(decodeJwt(await tokens.getToken()).aud).toBe(customer);
    expect(issuer.requests.discovery).toBe(before + 1);
  });

  it('shares one request among concurrent callers and caches the token', async () => {
    const tokens = provider();
    const before = issuer.requests.token;

    const values = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    const again = await tokens.getToken();

    expect(new Set([...values, again]).size).toBe(1);
    expect(issuer.requests.token).toBe(before + 1);
  });

  it('hands out the current token while fetching its replacement before expiry', async () => {
    let now = Date.now();
    const tokens = provider({ clock: () => now, refreshBeforeExpiryMs: 60_000 });
    const first = await tokens.getToken();
    const before = issuer.requests.token;

    now += (issuer.tokenLifetimeSeconds - 30) * 1000;
    expect(await tokens.getToken()).toBe(first);

    await expect.poll(() => issuer.requests.token).toBe(before + 1);
    await expect.poll(() => tokens.getToken()).not.toBe(first);
  });

  it('waits for a new token once the cached one has expired', async () => {
    let now = Date.now();
    const tokens = provider({ clock: () => now });
    const first = await tokens.getToken();

    now += issuer.tokenLifetimeSeconds * 1000;

    expect(await tokens.getToken()).not.toBe(first);
  });

  it('reports wrong client credentials as AUTH_CLIENT_REJECTED', async () => {
    expect(await codeOf(provider({ clientSecret: 'wrong' }).getToken())).toBe(
      'AUTH_CLIENT_REJECTED',
    );
  });

  it('reports a refused scope or resource as AUTH_TOKEN_REQUEST_REFUSED', async () => {
    expect(await codeOf(provider({ scope: 'customers:write' }).getToken())).toBe(
      'AUTH_TOKEN_REQUEST_REFUSED',
    );
    expect(await codeOf(provider({ resource: 'https://other.test' }).getToken())).toBe(
      'AUTH_TOKEN_REQUEST_REFUSED',
    );
  });

  it('reports a failing or unreachable server as AUTH_SERVER_UNAVAILABLE', async () => {
    issuer.tokenFailure = { status: 503, body: 'busy' };
    expect(await codeOf(provider().getToken())).toBe('AUTH_SERVER_UNAVAILABLE');

    const down = await LocalIssuer.start();
    await down.close();
    expect(await codeOf(provider({ tokenEndpoint: down.tokenEndpoint }).getToken())).toBe(
      'AUTH_SERVER_UNAVAILABLE',
    );
  });

  it('reports a rate-limited token request as AUTH_SERVER_UNAVAILABLE, to be tried again', async () => {
    issuer.tokenFailure = {
      status: 429,
      body: JSON.stringify({ error: 'temporarily_unavailable' }),
    };

    expect(await codeOf(provider().getToken())).toBe('AUTH_SERVER_UNAVAILABLE');
  });

  it('reports an answer that is not a bearer token as AUTH_SERVER_RESPONSE_INVALID', async () => {
    issuer.tokenFailure = { status: 200, body: JSON.stringify({ token_type: 'DPoP' }) };

    expect(await codeOf(provider().getToken())).toBe('AUTH_SERVER_RESPONSE_INVALID');
  });

  it('puts neither the secret nor a token in its errors', async () => {
    const error = await provider({ scope: 'customers:write' })
      .getToken()
      .catch((caught: unknown) => caught);
    const cause = (error as Error).cause as Error;

    expect(`${(error as Error).message} ${cause.message}`).not.toContain(secret);
    expect(cause.message).toContain('invalid_scope');
  });

  it('refuses to hand out tokens once closed', async () => {
    const tokens = provider();
    await tokens.getToken();

    tokens.close();

    await expect(tokens.getToken()).rejects.toThrow(TypeError);
  });

  it('refuses options naming both or neither of tokenEndpoint and issuer', () => {
    expect(() => provider({ issuer: issuer.issuer })).toThrow(TypeError);
    expect(() => provider({ tokenEndpoint: undefined })).toThrow(TypeError);
  });
});
