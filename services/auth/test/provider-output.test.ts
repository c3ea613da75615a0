import { discoverServiceClient } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';

// Everything a service writes is a JSON log line; oidc-provider's own notices are plain console
// text, printed once per process, so this file is the process's first token request.
describe("oidc-provider's console output", () => {
  const warn = vi.spyOn(console, 'warn');
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });

  afterAll(async () => {
    warn.mockRestore();
    await server?.close();
  });

  it('stays silent through token, introspection and revocation requests', async () => {
    const customer = await discoverServiceClient(server, 'customer');
    const parameters = { resource: 'urn:footfall:auth', scope: 'auth:users:write' };

    const { access_token: token } = await client.clientCredentialsGrant(customer, parameters);
    await client.tokenIntrospection(customer, token);
    await client.tokenRevocation(customer, token);

    const printed = warn.mock.calls.map((call) => String(call[0]));
    expect(printed.filter((line) => line.startsWith('oidc-provider'))).toEqual([]);
  });
});
