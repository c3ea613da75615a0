import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcServerOf } from '../src/app.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { discoverPublicClient, oauthErrorOf } from './oauth-clients.ts';

const accountId = 'account-under-test';
const scope = 'openid offline_access';

/**
 * Sign-in is not built, so the grant and first refresh token are made the way the provider's
 * authorization-code exchange makes them (its own models, stored through the Postgres adapter);
 * every refresh after that goes through the token endpoint with openid-client.
 */
describe('refresh token rotation and reuse detection', () => {
  let server: AuthServer;
  let cli: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer({
      findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    });
    cli = await discoverPublicClient(server, 'footfall-cli');
  });

  afterAll(async () => {
    await server?.close();
  });

  async function issueRefreshToken(): Promise<string> {
    const { provider } = oidcServerOf(server.app);
    const grant = new provider.Grant({ accountId, clientId: 'footfall-cli' });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const owner = await provider.Client.find('footfall-cli');
    const token = new provider.RefreshToken({
      accountId,
      client: owner,
      grantId,
      scope,
      gty: 'authorization_code',
    } as never);

    return token.save();
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
    const second = (await client.refreshTokenGrant(cli, first)).refresh_token ?? '';

    const replay = await oauthErrorOf(client.refreshTokenGrant(cli, first));
    const afterReplay = await oauthErrorOf(client.refreshTokenGrant(cli, second));

    expect(replay).toBe('invalid_grant');
    // The legitimate holder's newer token died with the grant: a thief and the victim racing
    // with the same family both lose, which is the point.
    expect(afterReplay).toBe('invalid_grant');
  });
});
