import {
  cliRedirect,
  discoverPublicClient,
  discoverServiceClient,
  type PageBrowser,
  withClient,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { openSignIn, submitSignIn } from './sign-in-session.ts';
import { createTestUser, type TestUser } from './test-users.ts';

/** Every row of every table in the auth schema, each as its JSON text. */
async function everyStoredRow(server: AuthServer): Promise<string[]> {
  return withClient(server.databases.services.auth.adminUrl, async (db) => {
    const tables = await db.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables
       WHERE table_schema = 'auth' AND table_type = 'BASE TABLE'`,
    );
    const rows: string[] = [];
    for (const { name } of tables.rows) {
      const result = await db.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM auth.${name} t`,
      );
      rows.push(...result.rows.map((found) => found.row));
    }
    return rows;
  });
}

/** Signs in and stops at the consent page: an interaction that knows its session is stored. */
async function signedInUpToConsent(server: AuthServer, user: TestUser): Promise<PageBrowser> {
  const session = await openSignIn(server);
  const signedIn = await submitSignIn(session, user);
  const consent = await session.browser.follow(
    new URL(signedIn.headers.get('location') ?? '', server.url),
    cliRedirect,
  );
  if (!(consent instanceof Response) || !(await consent.text()).includes('Allow')) {
    throw new Error('expected the consent page');
  }

  return session.browser;
}

describe('credentials at rest', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('stores no issued token and no session cookie in any column of any row', async () => {
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid offline_access',
    };
    const user = await createTestUser(server);
    const flow = await runCodeFlow(server, request, user);
    const atConsent = await signedInUpToConsent(server, user);
    const code = flow.callback.searchParams.get('code') ?? '';
    const issued = await exchangeCode(cli, flow);
    const refreshed = await client.refreshTokenGrant(cli, issued.refresh_token ?? '');
    const customer = await discoverServiceClient(server, 'customer');
    const service = await client.clientCredentialsGrant(customer, {
      resource: 'urn:footfall:auth',
      scope: 'auth:users:write',
    });
    const secrets = [
      code,
      issued.access_token,
      issued.refresh_token ?? '',
      refreshed.access_token,
      refreshed.refresh_token ?? '',
      service.access_token,
      flow.browser.cookie('_session') ?? '',
      atConsent.cookie('_session') ?? '',
    ];

    const rows = await everyStoredRow(server);

    // Each is opaque (stored, unlike a JWT) and present, so the search below means something.
    for (const secret of secrets) expect(secret).toMatch(/^[\w-]{32,}$/);
    expect(rows.filter((row) => row.includes('"model":"RefreshToken"'))).toHaveLength(2);
    for (const secret of secrets) {
      expect(rows.filter((row) => row.includes(secret))).toEqual([]);
    }
  });

  it('still finds, uses and revokes tokens by the value their holder presents', async () => {
    const customer = await discoverServiceClient(server, 'customer');
    const parameters = { resource: 'urn:footfall:auth', scope: 'auth:users:write' };
    const token = (await client.clientCredentialsGrant(customer, parameters)).access_token;

    const active = await client.tokenIntrospection(customer, token);
    await client.tokenRevocation(customer, token);

    expect(active.active).toBe(true);
    expect(await client.tokenIntrospection(customer, token)).toEqual({ active: false });
  });
});
