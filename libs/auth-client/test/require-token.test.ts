import { baseConfigSchema, createService, loadConfig } from '@footfall/service-kit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bearerTokens, requireToken, verifiedToken } from '../src/index.ts';
import { LocalIssuer } from './local-issuer.ts';

const audience = 'https://customer.footfall.test';

async function kitApp() {
  const app = await createService({
    name: 'require-token-test',
    config: loadConfig(baseConfigSchema, { PORT: '0' }),
    logDestination: { write: () => {} },
  });
  onTestFinished(() => app.close());
  return app;
}

describe('requireToken misuse and outages', () => {
  it('answers 500 when a route asks for a token but the plugin was never registered', async () => {
    const app = await kitApp();
    app.get('/stores', { onRequest: requireToken() }, async () => ({ ok: true }));

    const response = await app.inject({ method: 'GET', url: '/stores' });

    expect(response.json().code).toBe('HTTP_INTERNAL');
  });

  it('answers 500 when a handler reads the token of a route that is not guarded', async () => {
    const app = await kitApp();
    await app.register(bearerTokens, {
      issuer: 'https://issuer.test',
      jwksUrl: 'https://issuer.test/jwks',
      audience,
    });
    app.get('/stores', async (request) => verifiedToken(request).subject);

    const response = await app.inject({ method: 'GET', url: '/stores' });

    expect(response.json().code).toBe('HTTP_INTERNAL');
  });

  it('answers 503 without a Bearer challenge when the signing keys cannot be fetched', async () => {
    const down = await LocalIssuer.start();
    const token = await down.sign(audience);
    await down.close();
    const app = await kitApp();
    await app.register(bearerTokens, { issuer: down.issuer, jwksUrl: down.jwksUrl, audience });
    app.get('/stores', { onRequest: requireToken() }, async () => ({ ok: true }));

    const response = await app.inject({
      method: 'GET',
      url: '/stores',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('AUTH_KEYS_UNAVAILABLE');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });
});
