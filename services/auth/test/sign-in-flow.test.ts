import {
  cliRedirect,
  dashboardRedirect,
  discoverPublicClient,
  discoverServiceClient,
} from '@footfall/testing';
import { decodeJwt } from 'jose';
import type * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { createTestUser, type TestUser } from './test-users.ts';

const customerResource = 'urn:footfall:customer';

describe('authorization code flow through the sign-in pages', () => {
  let server: AuthServer;
  let cli: client.Configuration;
  let dashboard: client.Configuration;
  let customerUser: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    server = await startAuthServer();
    cli = await discoverPublicClient(server, 'footfall-cli');
    dashboard = await discoverServiceClient(server, 'dashboard');
    customerUser = await createTestUser(server);
    admin = await createTestUser(server, { role: 'platform-admin' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('signs a customer user in to the dashboard and issues tokens naming role and customer', async () => {
    const flow = await runCodeFlow(
      server,
      { configuration: dashboard, redirectUri: dashboardRedirect, scope: 'openid offline_access' },
      customerUser,
    );

    const tokens = await exchangeCode(dashboard, flow);
    const idToken = tokens.claims();

    expect(idToken?.sub).toBe(customerUser.id);
    expect(idToken).toMatchObject({ role: 'customer-user', customer_id: customerUser.customerId });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('puts role and customer id in a resource access token, and only the scopes the role may hold', async () => {
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid customer:read customer:admin',
      resource: customerResource,
    };

    const asCustomer = await exchangeCode(
      cli,
      await runCodeFlow(server, request, customerUser),
      customerResource,
    );
    const asAdmin = await exchangeCode(
      cli,
      await runCodeFlow(server, request, admin),
      customerResource,
    );

    expect(decodeJwt(asCustomer.access_token)).toMatchObject({
      aud: customerResource,
      role: 'customer-user',
      customer_id: customerUser.customerId,
      scope: 'customer:read',
    });
    expect(decodeJwt(asAdmin.access_token)).toMatchObject({
      aud: customerResource,
      role: 'platform-admin',
      scope: 'customer:read customer:admin',
    });
    expect(decodeJwt(asAdmin.access_token).customer_id).toBeUndefined();
  });
});
