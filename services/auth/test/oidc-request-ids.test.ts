import { queryAs, secretOf } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { LogCapture } from './sign-in-session.ts';

/** The log lines that carry `reqId`, with the message of each. */
function linesOf(logs: LogCapture, requestId: string | null): unknown[] {
  return logs
    .entries()
    .filter((entry) => entry.reqId === requestId)
    .map((entry) => entry.msg);
}

/**
 * The provider's routes are hijacked from fastify, so the kit's request-id header and the
 * request's logger have to be carried to the provider by hand; these tests see that they are.
 */
describe('request ids under the issuer', () => {
  const logs = new LogCapture();
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({ logDestination: logs.destination });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers a provider request with the id it was given', async () => {
    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`, {
      headers: { 'x-request-id': 'trace-0123456789' },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-0123456789');
  });

  it("answers the provider's error page with the id its log line carries", async () => {
    const response = await fetch(`${server.issuer}/auth?client_id=nobody`, {
      headers: { accept: 'text/html' },
    });
    const requestId = response.headers.get('x-request-id');
    await response.text();

    expect(response.status).toBe(400);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(linesOf(logs, requestId)).toEqual(['request completed']);
  });

  it('logs a provider failure with the id of the request that failed', async () => {
    const ownerUrl = server.databases.services.auth.ownerUrl;
    const introspect = () =>
      fetch(`${server.issuer}/token/introspection`, {
        method: 'POST',
        body: new URLSearchParams({
          token: 'some-opaque-token',
          client_id: 'customer',
          client_secret: secretOf(server, 'customer'),
        }),
      });

    // The provider's state is out of reach for one request: a failure no caller can be blamed for.
    await queryAs(ownerUrl, 'ALTER TABLE auth.oidc_models RENAME TO oidc_models_away');
    const response = await introspect().finally(() =>
      queryAs(ownerUrl, 'ALTER TABLE auth.oidc_models_away RENAME TO oidc_models'),
    );
    const requestId = response.headers.get('x-request-id');

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'server_error' });
    expect(requestId).toEqual(expect.any(String));
    expect(linesOf(logs, requestId)).toEqual(['oidc provider failed', 'request completed']);
    expect((await introspect()).status).toBe(200);
  });
});
