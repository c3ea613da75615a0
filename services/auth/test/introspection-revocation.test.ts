import { cliRedirect, discoverPublicClient, discoverServiceClient } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchAuditEvent } from './audit-trail.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { oauthErrorOf } from './oauth-clients.ts';
import { LogCapture } from './sign-in-session.ts';
import { createTestUser } from './test-users.ts';

// Tokens for the auth service's own API are opaque: what introspection (RFC 7662) and revocation
// (RFC 7009) serve. JWTs are verified offline; oidc-provider refuses to introspect or revoke them.
const auth = 'urn:footfall:auth';

describe('introspection and revocation', () => {
  const logs = new LogCapture();
  let server: AuthServer;
  let customerService: client.Configuration;
  let ingestion: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer({ logDestination: logs.destination });
    customerService = await discoverServiceClient(server, 'customer');
    ingestion = await discoverServiceClient(server, 'tracking-ingestion');
  });

  afterAll(async () => {
    await server?.close();
  });

  const issue = async () => {
    const parameters = { resource: auth, scope: 'auth:users:write' };
    return (await client.clientCredentialsGrant(customerService, parameters)).access_token;
  };

  it('describes an active token to the authenticated client that holds it', async () => {
    const result = await client.tokenIntrospection(customerService, await issue());

    expect(result).toMatchObject({
      active: true,
      aud: auth,
      client_id: 'customer',
      scope: 'auth:users:write',
      token_type: 'Bearer',
    });
    expect((result.exp ?? 0) - (result.iat ?? Infinity)).toBeLessThanOrEqual(600);
  });

  it('tells another service nothing about it', async () => {
    expect(await client.tokenIntrospection(ingestion, await issue())).toEqual({ active: false });
  });

  it('refuses a caller that does not authenticate', async () => {
    const token = await issue();
    const endpoint = customerService.serverMetadata().introspection_endpoint ?? '';
    const anonymous = await fetch(endpoint, {
      method: 'POST',
      body: new URLSearchParams({ token }),
    });
    const cli = await discoverPublicClient(server, 'footfall-cli');

    expect(anonymous.status).toBe(400);
    expect(await anonymous.json()).toMatchObject({ error: 'invalid_request' });
    // A public client cannot prove who it is, so it learns nothing, not even that the token lives.
    expect(await client.tokenIntrospection(cli, token)).toEqual({ active: false });
  });

  // Looked up as given, such a value once reached PostgreSQL, which cannot store a NUL: a 500.
  it.each([
    ['a NUL byte', 'abc\u0000def'],
    ['a lone surrogate', 'abc\ud800def'],
    ['8 KB of text', 'x'.repeat(8_000)],
  ])('answers a token with %s as inactive, never with a server error', async (_name, token) => {
    const introspected = await client.tokenIntrospection(customerService, token);
    const revoked = client.tokenRevocation(customerService, token);

    expect(introspected).toEqual({ active: false });
    await expect(revoked).resolves.toBeUndefined();
  });

  it('refuses a wrong secret', async () => {
    const impostor = await discoverServiceClient(server, 'customer', 'y'.repeat(43));
    const call = client.tokenIntrospection(impostor, await issue());

    expect(await oauthErrorOf(call)).toBe('invalid_client');
  });

  it('revokes a token at its holder’s request, after which it is inactive', async () => {
    const token = await issue();

    await client.tokenRevocation(customerService, token);

    expect(await client.tokenIntrospection(customerService, token)).toEqual({ active: false });
  });

  it('audits the revocation: a row, a log line and the counter', async () => {
    const token = await issue();
    const revoked = await watchAuditEvent(server, logs, 'token_revoked');

    await client.tokenRevocation(customerService, token);

    await revoked.expectRecorded({ client_id: 'customer', detail: { kind: 'client_credentials' } });
  });

  // RFC 7009 lets a public client revoke what was issued to it: the token is proof enough, and
  // the most a stranger holding it can do is end it, which is what a thief would least want.
  it('lets the public CLI revoke its own refresh token without a secret, ending the grant', async () => {
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const user = await createTestUser(server);
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid offline_access',
    };
    const tokens = await exchangeCode(cli, await runCodeFlow(server, request, user));
    const tokenRevoked = await watchAuditEvent(server, logs, 'token_revoked');
    const grantRevoked = await watchAuditEvent(server, logs, 'grant_revoked');

    await client.tokenRevocation(cli, tokens.refresh_token ?? '');

    expect(await oauthErrorOf(client.refreshTokenGrant(cli, tokens.refresh_token ?? ''))).toBe(
      'invalid_grant',
    );
    await tokenRevoked.expectRecorded({
      client_id: 'footfall-cli',
      user_id: user.id,
      detail: { kind: 'refresh_token' },
    });
    await grantRevoked.expectRecorded({
      client_id: 'footfall-cli',
      detail: { grantId: expect.any(String) },
    });
  });

  it("does not let the public CLI revoke another client's token, silently", async () => {
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const token = await issue();

    await client.tokenRevocation(cli, token);

    expect((await client.tokenIntrospection(customerService, token)).active).toBe(true);
  });

  it('does not let another client revoke it', async () => {
    const token = await issue();

    expect(await oauthErrorOf(client.tokenRevocation(ingestion, token))).toBe('invalid_request');
    expect((await client.tokenIntrospection(customerService, token)).active).toBe(true);
  });

  it('answers unsupported_token_type for a JWT, which resource servers verify offline', async () => {
    const parameters = { resource: 'urn:footfall:customer', scope: 'customer:read' };
    const jwt = (await client.clientCredentialsGrant(ingestion, parameters)).access_token;

    expect(await oauthErrorOf(client.tokenIntrospection(ingestion, jwt))).toBe(
      'unsupported_token_type',
    );
  });
});
