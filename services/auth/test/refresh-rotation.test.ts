import { cliRedirect, discoverPublicClient } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKey } from '../src/oidc-adapter.ts';
import { watchAuditEvent } from './audit-trail.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { raceOnHeldRows } from './held-rows.ts';
import { oauthErrorOf, outcomesOf } from './oauth-clients.ts';
import { LogCapture } from './sign-in-session.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser, type TestUser } from './test-users.ts';

const racingRefreshes = 5;

describe('refresh token rotation and reuse detection', () => {
  const logs = new LogCapture();
  let server: AuthServer;
  let cli: client.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    server = await startAuthServer({ logDestination: logs.destination });
    cli = await discoverPublicClient(server, 'footfall-cli');
    user = await createTestUser(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  // A fresh grant each time, signed in through the pages as a person would.
  async function issueRefreshToken(): Promise<string> {
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid offline_access',
    };
    const tokens = await exchangeCode(cli, await runCodeFlow(server, request, user));
    if (tokens.refresh_token === undefined) throw new Error('no refresh token issued');

    return tokens.refresh_token;
  }

  it('replaces the refresh token on every use', async () => {
    const first = await issueRefreshToken();

    const refreshed = await client.refreshTokenGrant(cli, first);

    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  it('revokes the whole grant when a used refresh token comes back', async () => {
    const first = await issueRefreshToken();
    const grantId = await grantIdOf(first);
    const second = (await client.refreshTokenGrant(cli, first)).refresh_token ?? '';
    const reuse = await watchAuditEvent(server, logs, 'refresh_token_reused');
    expect(await grantExists(grantId)).toBe(true);

    const replay = await oauthErrorOf(client.refreshTokenGrant(cli, first));
    const afterReplay = await oauthErrorOf(client.refreshTokenGrant(cli, second));

    expect(replay).toBe('invalid_grant');
    // The legitimate holder's newer token died with the grant: a thief and the victim racing
    // with the same family both lose, which is the point.
    expect(afterReplay).toBe('invalid_grant');
    expect(await grantExists(grantId)).toBe(false);
    await reuse.expectRecorded({ client_id: 'footfall-cli', detail: { grantId } });
  });

  it('lets at most one of several racing refreshes through, and revokes the grant', async () => {
    const first = await issueRefreshToken();

    const refreshes = await raceOnHeldRows(server, 'RefreshToken', racingRefreshes, () =>
      Array.from({ length: racingRefreshes }, () => client.refreshTokenGrant(cli, first)),
    );
    const { issued, refused } = await outcomesOf(refreshes);

    expect(issued.length).toBeLessThanOrEqual(1);
    expect(refused).toEqual(Array(racingRefreshes - issued.length).fill('invalid_grant'));
    for (const tokens of issued) {
      expect(await oauthErrorOf(client.refreshTokenGrant(cli, tokens.refresh_token ?? ''))).toBe(
        'invalid_grant',
      );
    }
    expect(await oauthErrorOf(client.refreshTokenGrant(cli, first))).toBe('invalid_grant');
  });

  // An opaque token's row is keyed by the hash of its value in the provider's state.
  async function grantIdOf(refreshToken: string): Promise<string> {
    const rows = await modelRows('RefreshToken', refreshToken, 'grant_id');
    const grantId = rows[0];
    if (grantId === undefined) throw new Error('the refresh token has no row');

    return grantId;
  }

  async function grantExists(grantId: string): Promise<boolean> {
    return (await modelRows('Grant', grantId, 'id')).length === 1;
  }

  function modelRows(model: string, id: string, column: 'id' | 'grant_id'): Promise<string[]> {
    return withAuthPool(server, async (pool) => {
      const result = await pool.query<{ value: string }>(
        `SELECT ${column} AS value FROM auth.oidc_models WHERE model = $1 AND id = $2`,
        [model, storageKey(id)],
      );
      return result.rows.map((row) => row.value);
    });
  }
});
