import {
  cliRedirect,
  dashboardRedirect,
  discoverPublicClient,
  discoverServiceClient,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { type CodeFlowRequest, exchangeCode, runCodeFlow } from './code-flow.ts';
import { raceOnHeldRows } from './held-rows.ts';
import { oauthErrorOf, outcomesOf } from './oauth-clients.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser, type TestUser } from './test-users.ts';

const racingExchanges = 5;

/** The code flow's refusals (RFC 9700): each one a way an attacker might try to use a code. */
describe('authorization code flow refusals', () => {
  let server: AuthServer;
  let cli: client.Configuration;
  let dashboard: client.Configuration;
  let user: TestUser;
  let cliRequest: CodeFlowRequest;

  beforeAll(async () => {
    server = await startAuthServer();
    cli = await discoverPublicClient(server, 'footfall-cli');
    dashboard = await discoverServiceClient(server, 'dashboard');
    user = await createTestUser(server);
    cliRequest = { configuration: cli, redirectUri: cliRedirect, scope: 'openid offline_access' };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('returns the state it was given, unchanged, beside the code', async () => {
    const flow = await runCodeFlow(server, cliRequest, user);

    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('refuses a code with the wrong PKCE verifier', async () => {
    const flow = await runCodeFlow(server, cliRequest, user);
    const wrong = { ...flow, codeVerifier: client.randomPKCECodeVerifier() };

    expect(await oauthErrorOf(exchangeCode(cli, wrong))).toBe('invalid_grant');
  });

  it('refuses a reused code, and revokes what the first use issued', async () => {
    const flow = await runCodeFlow(server, cliRequest, user);
    const first = await exchangeCode(cli, flow);
    const before = await userinfoStatus(cli, first.access_token);

    const reuse = await oauthErrorOf(exchangeCode(cli, flow));
    const refresh = await oauthErrorOf(client.refreshTokenGrant(cli, first.refresh_token ?? ''));

    expect(reuse).toBe('invalid_grant');
    expect(refresh).toBe('invalid_grant');
    expect(before).toBe(200);
    expect(await userinfoStatus(cli, first.access_token)).toBe(401);
    expect(await auditEvents(server, 'authorization_code_reused')).toBeGreaterThan(0);
  });

  it('redeems a code once when exchanges race, and revokes what that one issued', async () => {
    const flow = await runCodeFlow(server, cliRequest, user);
    const reusesBefore = await auditEvents(server, 'authorization_code_reused', -1);

    const exchanges = await raceOnHeldRows(server, 'AuthorizationCode', racingExchanges, () =>
      Array.from({ length: racingExchanges }, () => exchangeCode(cli, flow)),
    );
    const { issued, refused } = await outcomesOf(exchanges);

    expect(issued).toHaveLength(1);
    expect(refused).toEqual(Array(racingExchanges - 1).fill('invalid_grant'));
    const tokens = issued[0];
    expect(await oauthErrorOf(client.refreshTokenGrant(cli, tokens?.refresh_token ?? ''))).toBe(
      'invalid_grant',
    );
    expect(await userinfoStatus(cli, tokens?.access_token ?? '')).toBe(401);
    expect(await auditEvents(server, 'authorization_code_reused', reusesBefore)).toBeGreaterThan(
      reusesBefore,
    );
  });

  it('refuses a code exchanged by another client than the one it was issued to', async () => {
    const flow = await runCodeFlow(
      server,
      { configuration: dashboard, redirectUri: dashboardRedirect, scope: 'openid' },
      user,
    );
    const thief = await discoverPublicClient(server, 'footfall-cli');

    const error = await oauthErrorOf(
      client.authorizationCodeGrant(thief, flow.callback, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
      }),
    );

    expect(error).toBe('invalid_grant');
  });

  it("refuses the dashboard's code exchange with a wrong client secret", async () => {
    const flow = await runCodeFlow(
      server,
      { configuration: dashboard, redirectUri: dashboardRedirect, scope: 'openid' },
      user,
    );
    const impostor = await discoverServiceClient(server, 'dashboard', 'x'.repeat(43));

    expect(await oauthErrorOf(exchangeCode(impostor, flow))).toBe('invalid_client');
  });

  it('refuses a refresh token its holder revoked, and introspection calls it inactive', async () => {
    const flow = await runCodeFlow(
      server,
      { ...cliRequest, configuration: dashboard, redirectUri: dashboardRedirect },
      user,
    );
    const tokens = await exchangeCode(dashboard, flow);
    const refreshToken = tokens.refresh_token ?? '';

    await client.tokenRevocation(dashboard, refreshToken);
    const introspected = await client.tokenIntrospection(dashboard, refreshToken);

    expect(introspected.active).toBe(false);
    expect(await oauthErrorOf(client.refreshTokenGrant(dashboard, refreshToken))).toBe(
      'invalid_grant',
    );
  });

  it('sends the client access_denied when the person declines consent', async () => {
    const flow = await runCodeFlow(server, { ...cliRequest, consent: 'deny' }, user);

    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('code')).toBeNull();
  });
});

/** The userinfo endpoint's status for an access token: 200 while its grant lives. */
async function userinfoStatus(configuration: client.Configuration, accessToken: string) {
  const response = await fetch(configuration.serverMetadata().userinfo_endpoint ?? '', {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.arrayBuffer();

  return response.status;
}

/** How many `event` rows are audited, once there are more than `above` of them. */
async function auditEvents(server: AuthServer, event: string, above = 0): Promise<number> {
  // Provider events are audited in the background; give the insert a moment to land.
  let count = 0;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    count = await withAuthPool(server, async (pool) => {
      const result = await pool.query<{ count: number }>(
        'SELECT count(*)::integer AS count FROM auth.audit_events WHERE event = $1',
        [event],
      );
      return result.rows[0]?.count ?? 0;
    });
    if (count > above) return count;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return count;
}
