import { discoverServiceClient, secretOf } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';

describe('auth logs', () => {
  const lines: string[] = [];
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({
      logDestination: { write: (line: string) => lines.push(line) },
      env: { LOG_LEVEL: 'trace' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('never contain a client secret, a cookie key, an access token or key material', async () => {
    const customer = await discoverServiceClient(server, 'customer');
    const opaque = await client.clientCredentialsGrant(customer, { resource: 'urn:footfall:auth' });
    const jwt = await client.clientCredentialsGrant(customer, {
      resource: 'urn:footfall:tracking-ingestion',
    });
    await client.tokenIntrospection(customer, opaque.access_token);
    await client.tokenRevocation(customer, opaque.access_token);
    const log = lines.join('');

    // The provider's traffic is logged like any route (by pattern), so the check has teeth.
    expect(log).toMatch(/"route":"\/oidc\/\*","statusCode":200/);
    for (const secret of [
      secretOf(server, 'customer'),
      ...server.config.AUTH_COOKIE_KEYS,
      opaque.access_token,
      jwt.access_token,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/"d":"/);
  });
});
