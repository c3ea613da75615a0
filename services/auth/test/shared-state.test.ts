import { discoverServiceClient, withClient } from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteExpiredState } from '../src/expired-state-cleanup.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { secretsOf } from './oauth-clients.ts';
import { withAuthPool } from './test-pool.ts';

const auth = 'urn:footfall:auth';

describe('provider state in PostgreSQL', () => {
  let first: AuthServer;
  let second: AuthServer;

  beforeAll(async () => {
    first = await startAuthServer();
    second = await startAuthServer({
      databases: first.databases,
      clientSecrets: secretsOf(first),
    });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const issueAtFirst = async () => {
    const customer = await discoverServiceClient(first, 'customer');
    const parameters = { resource: auth, scope: 'auth:users:write' };
    return (await client.clientCredentialsGrant(customer, parameters)).access_token;
  };

  it('lets a second replica on the same database introspect a token the first issued', async () => {
    const token = await issueAtFirst();
    const atSecond = await discoverServiceClient(second, 'customer');

    expect(await client.tokenIntrospection(atSecond, token)).toMatchObject({
      active: true,
      client_id: 'customer',
    });
  });

  it('sees a revocation made at the other replica', async () => {
    const token = await issueAtFirst();
    const atFirst = await discoverServiceClient(first, 'customer');
    const atSecond = await discoverServiceClient(second, 'customer');

    await client.tokenRevocation(atSecond, token);

    expect(await client.tokenIntrospection(atFirst, token)).toEqual({ active: false });
  });

  it('serves the same signing keys from both replicas', async () => {
    const jwks = async (server: AuthServer) => (await fetch(`${server.issuer}/jwks`)).json();

    expect(await jwks(second)).toEqual(await jwks(first));
  });

  it('stores tokens in auth.oidc_models with their expiry, and the clean-up deletes expired rows', async () => {
    await issueAtFirst();
    const adminUrl = first.databases.services.auth.adminUrl;

    const expired = await withClient(adminUrl, async (db) => {
      const stored = await db.query(
        "SELECT count(*)::int AS n FROM auth.oidc_models WHERE model = 'ClientCredentials' AND expires_at > now()",
      );
      await db.query("UPDATE auth.oidc_models SET expires_at = now() - interval '1 second'");
      return stored.rows[0]?.n as number;
    });
    const deleted = await withAuthPool(first, deleteExpiredState);
    const left = await withClient(adminUrl, (db) =>
      db.query('SELECT count(*)::int AS n FROM auth.oidc_models'),
    );

    expect(expired).toBeGreaterThan(0);
    expect(deleted).toBeGreaterThanOrEqual(expired);
    expect(left.rows[0]?.n).toBe(0);
  });
});
