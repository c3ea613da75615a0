import { randomUUID } from 'node:crypto';
import {
  cliRedirect,
  discoverPublicClient,
  discoverServiceClient,
  PageBrowser,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcServerOf } from '../src/app.ts';
import { userApiResource, userApiScope } from '../src/user-api-access.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { oauthErrorOf } from './oauth-clients.ts';
import { openSignIn, submitSignIn } from './sign-in-session.ts';
import { createTestUser } from './test-users.ts';
import {
  auditEventsOf,
  callUserApi,
  createUserViaApi,
  customerUserInput,
  type IssuedLink,
  issueLinkViaApi,
  oneTimeTokenCount,
  openLink,
  type PresentedUser,
  providerRecordsOf,
  sendRaw,
  storedPasswordHash,
  submitPasswordForm,
  uniqueEmail,
  userApiToken,
  userRoleByEmail,
} from './user-api-calls.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: AuthServer;
let token: string;

beforeAll(async () => {
  server = await startAuthServer();
  token = await userApiToken(server);
});

afterAll(async () => {
  await server?.close();
});

describe('user API access', () => {
  // A route that exists for any uuid: 404 means the guard let the request through.
  const anyUserPath = () => `/users/${randomUUID()}`;

  it('accepts the customer service’s token for the auth resource', async () => {
    const answer = await callUserApi(server, token, 'GET', anyUserPath());

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('AUTH_USER_NOT_FOUND');
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic Y3VzdG9tZXI6c2VjcmV0'],
  ])(
    'answers 401 AUTH_TOKEN_MISSING with a bare Bearer challenge for %s',
    async (_case, header) => {
      const response = await fetch(new URL(anyUserPath(), server.url), {
        headers: header === undefined ? {} : { authorization: header },
      });

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ code: 'AUTH_TOKEN_MISSING' });
    },
  );

  it.each([
    ['a bare Bearer scheme', 'Bearer'],
    ['a token with characters RFC 6750 does not allow', 'Bearer not,a;token'],
  ])(
    'answers 401 AUTH_TOKEN_INVALID for %s, as every protected service does',
    async (_, header) => {
      const response = await fetch(new URL(anyUserPath(), server.url), {
        headers: { authorization: header },
      });

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(await response.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    },
  );

  it('answers 401 AUTH_TOKEN_INVALID for a token it never issued', async () => {
    const answer = await callUserApi(
      server,
      'not-a-token-this-server-issued',
      'GET',
      anyUserPath(),
    );

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('AUTH_TOKEN_INVALID');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('refuses a JWT the server issued for another service’s audience', async () => {
    const dashboard = await discoverServiceClient(server, 'dashboard');
    const parameters = { resource: 'urn:footfall:customer', scope: 'customer:read' };
    const jwt = (await client.clientCredentialsGrant(dashboard, parameters)).access_token;

    const answer = await callUserApi(server, jwt, 'GET', anyUserPath());

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('AUTH_TOKEN_INVALID');
  });

  it('refuses an opaque token of this server addressed to another audience', async () => {
    // No client can obtain one through the token endpoint today; the audience check is what
    // keeps such a token out should a second opaque resource ever appear.
    const { provider } = oidcServerOf(server.app);
    const customer = await provider.Client.find('customer');
    if (customer === undefined) throw new Error('no customer client');
    const foreign = new provider.ClientCredentials({ client: customer, scope: userApiScope });
    // What the token endpoint would do for a resource served as opaque tokens.
    foreign.resourceServer = {
      audience: 'urn:footfall:customer',
      scope: userApiScope,
      accessTokenFormat: 'opaque',
    } as unknown as NonNullable<typeof foreign.resourceServer>;
    const value = await foreign.save();

    const answer = await callUserApi(server, value, 'GET', anyUserPath());

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('AUTH_TOKEN_INVALID');
  });

  it('answers 403 AUTH_SCOPE_MISSING for a user API token without the scope', async () => {
    const customer = await discoverServiceClient(server, 'customer');
    const unscoped = await client.clientCredentialsGrant(customer, { resource: userApiResource });

    const answer = await callUserApi(server, unscoped.access_token, 'GET', anyUserPath());

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('AUTH_SCOPE_MISSING');
    expect(answer.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="${userApiScope}"`,
    );
  });

  it('does not issue a user API token to any client but the customer service', async () => {
    const dashboard = await discoverServiceClient(server, 'dashboard');
    const ingestion = await discoverServiceClient(server, 'tracking-ingestion');
    const parameters = { resource: userApiResource, scope: userApiScope };

    for (const other of [dashboard, ingestion]) {
      const error = await oauthErrorOf(client.clientCredentialsGrant(other, parameters));
      expect(['invalid_target', 'invalid_scope']).toContain(error);
    }
  });

  it('stops accepting a token the moment the customer service revokes it', async () => {
    const customer = await discoverServiceClient(server, 'customer');
    const revocable = await userApiToken(server);
    const path = anyUserPath();
    const before = await callUserApi(server, revocable, 'GET', path);

    await client.tokenRevocation(customer, revocable);
    const after = await callUserApi(server, revocable, 'GET', path);

    expect(before.status).toBe(404);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('AUTH_TOKEN_INVALID');
  });

  it('guards every route of the API', async () => {
    const id = randomUUID();
    const routes = [
      ['POST', '/users'],
      ['GET', `/users?customerId=${id}`],
      ['GET', `/users/${id}`],
      ['POST', `/users/${id}/invitation`],
      ['POST', `/users/${id}/password-reset`],
      ['POST', `/users/${id}/disable`],
    ] as const;

    for (const [method, path] of routes) {
      const answer = await callUserApi(server, undefined, method, path);
      expect({ method, path, code: answer.body.code }).toEqual({
        method,
        path,
        code: 'AUTH_TOKEN_MISSING',
      });
    }
  });
});

describe('creating and reading users', () => {
  const presentedKeys = [
    'createdAt',
    'customerId',
    'disabled',
    'email',
    'hasPassword',
    'id',
    'role',
  ];

  it('creates a customer user with an invitation link to the password page', async () => {
    const customerId = randomUUID();
    const email = uniqueEmail('customer');

    const answer = await callUserApi(server, token, 'POST', '/users', {
      email,
      role: 'customer-user',
      customerId,
    });
    const user = answer.body.user as PresentedUser;
    const invitation = answer.body.invitation as IssuedLink;

    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body).sort()).toEqual(['invitation', 'user']);
    expect(Object.keys(user).sort()).toEqual(presentedKeys);
    expect(user).toMatchObject({
      email: email.toLowerCase(),
      role: 'customer-user',
      customerId,
      disabled: false,
      hasPassword: false,
    });
    expect(user.id).toMatch(uuidPattern);
    expect(invitation.url).toMatch(new RegExp(`^${server.url}/password/[A-Za-z0-9_-]{43}$`));
    expect(invitation).toMatchObject({ delivery: 'returned' });
    expect(Object.keys(invitation).sort()).toEqual(['delivery', 'expiresAt', 'url']);
  });

  it('dates an invitation AUTH_INVITATION_TTL_SECONDS and a reset AUTH_PASSWORD_RESET_TTL_SECONDS ahead', async () => {
    const { user, invitation } = await createUserViaApi(server, token, customerUserInput('ttl'));
    const reset = await issueLinkViaApi(server, token, user.id, 'password-reset');
    const created = Date.parse(user.createdAt);
    // Both are set by the database clock in the same request as createdAt; a minute of slack
    // absorbs a slow run without letting the two lifetimes (3 days, 1 hour) be confused.
    const slack = 60_000;

    const invitationTtl = server.config.AUTH_INVITATION_TTL_SECONDS * 1000;
    const resetTtl = server.config.AUTH_PASSWORD_RESET_TTL_SECONDS * 1000;
    expect(Date.parse(invitation.expiresAt) - created).toBeGreaterThanOrEqual(invitationTtl);
    expect(Date.parse(invitation.expiresAt) - created).toBeLessThan(invitationTtl + slack);
    expect(Date.parse(reset.expiresAt) - created).toBeGreaterThanOrEqual(resetTtl);
    expect(Date.parse(reset.expiresAt) - created).toBeLessThan(resetTtl + slack);
  });

  it('refuses the same email again, whatever its case, with 409 AUTH_USER_EXISTS', async () => {
    const email = uniqueEmail('twice');
    await createUserViaApi(server, token, { ...customerUserInput('twice'), email });

    const again = await callUserApi(server, token, 'POST', '/users', {
      email: email.toUpperCase(),
      role: 'customer-user',
      customerId: randomUUID(),
    });

    expect(again.status).toBe(409);
    expect(again.body.code).toBe('AUTH_USER_EXISTS');
  });

  it.each([
    ['an invalid email', { ...customerUserInput('x'), email: 'not-an-email' }],
    ['no email', { role: 'customer-user', customerId: randomUUID() }],
    ['a customer user without a customer id', { email: 'a@example.test', role: 'customer-user' }],
    [
      'a customer user with a customer id that is not a uuid',
      { email: 'a@example.test', role: 'customer-user', customerId: '42' },
    ],
    [
      'a platform admin with a customer id',
      { email: 'a@example.test', role: 'platform-admin', customerId: randomUUID() },
    ],
    ['an unknown field', { ...customerUserInput('x'), password: 'x' }],
    ['an unknown role', { email: 'a@example.test', role: 'superuser' }],
    ['no role', { email: 'a@example.test' }],
    [
      'an email longer than 254 characters',
      { ...customerUserInput('x'), email: `${'a'.repeat(250)}@x.test` },
    ],
    ['an array', [customerUserInput('x')]],
    ['null', null],
  ])('answers 400 HTTP_VALIDATION_FAILED for %s', async (_case, body) => {
    const answer = await callUserApi(server, token, 'POST', '/users', body);

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('HTTP_VALIDATION_FAILED');
    expect(answer.body.details).toEqual(expect.any(Array));
  });

  it('creates nobody from a refused body', async () => {
    const email = uniqueEmail('refused');
    await callUserApi(server, token, 'POST', '/users', { email, role: 'customer-user' });

    const retry = await callUserApi(server, token, 'POST', '/users', {
      ...customerUserInput('refused'),
      email,
    });

    expect(retry.status).toBe(201);
  });

  it('reads a user back by id, without any password hash', async () => {
    const person = await createTestUser(server);

    const answer = await callUserApi(server, token, 'GET', `/users/${person.id}`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      user: {
        id: person.id,
        email: person.email,
        role: 'customer-user',
        customerId: person.customerId,
        disabled: false,
        hasPassword: true,
        createdAt: expect.any(String),
      },
    });
    expect(JSON.stringify(answer.body)).not.toContain('argon2');
  });

  it('answers 400 HTTP_VALIDATION_FAILED for an id that is not a uuid', async () => {
    const answer = await callUserApi(server, token, 'GET', '/users/not-a-uuid');

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('HTTP_VALIDATION_FAILED');
  });

  it.each([
    ['GET', ''],
    ['POST', '/invitation'],
    ['POST', '/password-reset'],
    ['POST', '/disable'],
  ])(
    'answers 404 AUTH_USER_NOT_FOUND to %s /users/:id%s for an unknown id',
    async (method, suffix) => {
      const answer = await callUserApi(server, token, method, `/users/${randomUUID()}${suffix}`);

      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('AUTH_USER_NOT_FOUND');
    },
  );

  it('records user_created with the role, and nothing personal, in the audit log', async () => {
    const email = uniqueEmail('audited');
    const { user } = await createUserViaApi(server, token, {
      email,
      role: 'customer-user',
      customerId: randomUUID(),
    });

    const events = await auditEventsOf(server, user.id);

    expect(events).toEqual([{ event: 'user_created', detail: { role: 'customer-user' } }]);
    expect(JSON.stringify(events)).not.toContain(email.toLowerCase());
  });
});

describe('listing a customer’s users', () => {
  async function usersOf(customerId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const input = { ...customerUserInput('listed'), customerId };
      ids.push((await createUserViaApi(server, token, input)).user.id);
    }

    return ids.sort();
  }

  it('lists the customer’s users by id, and no other customer’s', async () => {
    const customerId = randomUUID();
    const ids = await usersOf(customerId, 3);
    await usersOf(randomUUID(), 1);

    const answer = await callUserApi(server, token, 'GET', `/users?customerId=${customerId}`);
    const users = answer.body.users as PresentedUser[];

    expect(answer.status).toBe(200);
    expect(users.map((user) => user.id)).toEqual(ids);
    expect(users.every((user) => user.customerId === customerId)).toBe(true);
    expect(answer.body.next).toBeNull();
    expect(JSON.stringify(answer.body)).not.toContain('argon2');
  });

  it('pages with limit and next, each user once', async () => {
    const customerId = randomUUID();
    const ids = await usersOf(customerId, 3);
    const page = (after?: string) =>
      callUserApi(
        server,
        token,
        'GET',
        `/users?customerId=${customerId}&limit=2${after === undefined ? '' : `&after=${after}`}`,
      );

    const first = await page();
    const second = await page(String(first.body.next));

    const idsOf = (body: Record<string, unknown>) =>
      (body.users as PresentedUser[]).map((user) => user.id);
    expect(idsOf(first.body)).toEqual(ids.slice(0, 2));
    expect(first.body.next).toBe(ids[1]);
    expect(idsOf(second.body)).toEqual(ids.slice(2));
    expect(second.body.next).toBeNull();
  });

  it.each([
    ['no customer id', ''],
    ['a customer id that is not a uuid', '?customerId=42'],
    ['a limit above 200', `?customerId=${randomUUID()}&limit=201`],
    ['an unknown parameter', `?customerId=${randomUUID()}&role=platform-admin`],
  ])('answers 400 HTTP_VALIDATION_FAILED for %s', async (_case, query) => {
    const answer = await callUserApi(server, token, 'GET', `/users${query}`);

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('HTTP_VALIDATION_FAILED');
  });
});

describe('platform admins, out of the API’s reach (T2)', () => {
  const adminRoutes = [
    ['GET', ''],
    ['POST', '/invitation'],
    ['POST', '/password-reset'],
    ['POST', '/disable'],
  ] as const;

  it('refuses to create a platform admin with 403 AUTH_ADMIN_NOT_MANAGED, creating nobody', async () => {
    const email = uniqueEmail('would-be-admin');

    const answer = await callUserApi(server, token, 'POST', '/users', {
      email,
      role: 'platform-admin',
    });

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('AUTH_ADMIN_NOT_MANAGED');
    expect(await userRoleByEmail(server, email)).toBeUndefined();
  });

  it.each(adminRoutes)(
    'answers %s /users/:id%s for an admin exactly as for an unknown id',
    async (method, suffix) => {
      const admin = await createTestUser(server, { role: 'platform-admin' });

      const forAdmin = await callUserApi(server, token, method, `/users/${admin.id}${suffix}`);
      const forNobody = await callUserApi(server, token, method, `/users/${randomUUID()}${suffix}`);

      expect(forAdmin.status).toBe(404);
      expect(forAdmin.body).toEqual(forNobody.body);
    },
  );

  it('leaves the admin untouched: no link issued, not disabled, still signing in', async () => {
    const admin = await createTestUser(server, { role: 'platform-admin' });

    for (const [method, suffix] of adminRoutes) {
      await callUserApi(server, token, method, `/users/${admin.id}${suffix}`);
    }

    expect(await oneTimeTokenCount(server, admin.id)).toBe(0);
    expect(await auditEventsOf(server, admin.id)).toEqual([]);
    expect((await submitSignIn(await openSignIn(server), admin)).status).toBe(303);
  });

  it('refuses a customer user with an admin’s email as any taken email, 409 AUTH_USER_EXISTS', async () => {
    const admin = await createTestUser(server, { role: 'platform-admin' });

    const answer = await callUserApi(server, token, 'POST', '/users', {
      ...customerUserInput('taken'),
      email: admin.email,
    });

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('AUTH_USER_EXISTS');
    expect(await userRoleByEmail(server, admin.email)).toBe('platform-admin');
  });
});

describe('disabling a user', () => {
  async function signedInWithRefreshToken() {
    const person = await createTestUser(server);
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid offline_access',
    };
    const tokens = await exchangeCode(cli, await runCodeFlow(server, request, person));
    if (tokens.refresh_token === undefined) throw new Error('no refresh token issued');

    return { person, cli, refreshToken: tokens.refresh_token };
  }

  it('answers 200 with the user disabled, and says so from then on', async () => {
    const person = await createTestUser(server);

    const answer = await callUserApi(server, token, 'POST', `/users/${person.id}/disable`);
    const read = await callUserApi(server, token, 'GET', `/users/${person.id}`);

    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({ id: person.id, disabled: true });
    expect(JSON.stringify(answer.body)).not.toContain('argon2');
    expect(read.body.user).toMatchObject({ disabled: true });
  });

  it('revokes every session, grant and token the provider holds for the user', async () => {
    const { person, cli, refreshToken } = await signedInWithRefreshToken();
    const heldBefore = await providerRecordsOf(server, person.id);

    await callUserApi(server, token, 'POST', `/users/${person.id}/disable`);

    expect(heldBefore).toBeGreaterThan(0);
    expect(await providerRecordsOf(server, person.id)).toBe(0);
    expect(await oauthErrorOf(client.refreshTokenGrant(cli, refreshToken))).toBe('invalid_grant');
  });

  it('refuses the user’s sign-in afterwards with the ordinary 401 page', async () => {
    const person = await createTestUser(server);
    const before = await submitSignIn(await openSignIn(server), person);

    await callUserApi(server, token, 'POST', `/users/${person.id}/disable`);
    const after = await submitSignIn(await openSignIn(server), person);

    expect(before.status).toBe(303);
    expect(after.status).toBe(401);
    expect(await after.text()).toContain('The email or password is not right.');
  });

  it('refuses invitations and password resets for a disabled user with 409 AUTH_USER_DISABLED', async () => {
    const person = await createTestUser(server);
    await callUserApi(server, token, 'POST', `/users/${person.id}/disable`);

    for (const action of ['invitation', 'password-reset']) {
      const answer = await callUserApi(server, token, 'POST', `/users/${person.id}/${action}`);
      expect({ action, status: answer.status, code: answer.body.code }).toEqual({
        action,
        status: 409,
        code: 'AUTH_USER_DISABLED',
      });
    }
  });

  it('makes a link issued before the user was disabled invalid, even on a form already open', async () => {
    const { user, invitation } = await createUserViaApi(
      server,
      token,
      customerUserInput('invited-then-disabled'),
    );
    const browser = new PageBrowser();
    const opened = await openLink(browser, invitation.url);

    await callUserApi(server, token, 'POST', `/users/${user.id}/disable`);
    const reopened = await openLink(new PageBrowser(), invitation.url);
    const submitted = await submitPasswordForm(browser, invitation.url, opened.html, {
      password: 'correct horse battery staple',
    });

    expect(opened.status).toBe(200);
    expect(reopened.status).toBe(400);
    expect(reopened.html).toContain('AUTH_LINK_INVALID');
    expect(submitted.status).toBe(400);
    expect(submitted.html).toContain('AUTH_LINK_INVALID');
    expect(await storedPasswordHash(server, user.id)).toBeNull();
  });

  it('records user_disabled with how much was revoked', async () => {
    const { person } = await signedInWithRefreshToken();

    await callUserApi(server, token, 'POST', `/users/${person.id}/disable`);
    const events = await auditEventsOf(server, person.id);
    const disabled = events.filter((entry) => entry.event === 'user_disabled');

    expect(disabled).toHaveLength(1);
    expect(disabled[0]?.detail.revoked).toBeGreaterThan(0);
  });
});

describe('malformed input to the user API', () => {
  it.each([
    ['a body that is not JSON', 'application/json', '{"email": ', 400, 'HTTP_INVALID_JSON'],
    ['an empty JSON body', 'application/json', '', 400, 'HTTP_INVALID_JSON'],
    ['a JSON string', 'application/json', '"a@example.test"', 400, 'HTTP_VALIDATION_FAILED'],
    [
      'a prototype-polluting body',
      'application/json',
      '{"__proto__": {"role": "platform-admin"}, "email": "p@example.test"}',
      400,
      'HTTP_INVALID_JSON',
    ],
    ['plain text', 'text/plain', 'email=a@example.test', 415, 'HTTP_UNSUPPORTED_MEDIA_TYPE'],
    [
      'a form',
      'application/x-www-form-urlencoded',
      'email=a%40example.test&role=platform-admin',
      415,
      'HTTP_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body beyond the limit',
      'application/json',
      JSON.stringify({ email: 'a@example.test', role: 'platform-admin', pad: 'x'.repeat(1 << 20) }),
      413,
      'HTTP_BODY_TOO_LARGE',
    ],
  ])(
    'answers %s to POST /users with a coded 4xx',
    async (_case, contentType, body, status, code) => {
      const answer = await sendRaw(server, token, '/users', contentType, body);

      expect(answer.status).toBe(status);
      expect(answer.body.code).toBe(code);
    },
  );

  it('answers an invalid JSON body on the other routes with a coded 400', async () => {
    const { user } = await createUserViaApi(server, token, customerUserInput('raw'));

    for (const action of ['invitation', 'password-reset', 'disable']) {
      const answer = await sendRaw(
        server,
        token,
        `/users/${user.id}/${action}`,
        'application/json',
        '{',
      );
      expect({ action, status: answer.status, code: answer.body.code }).toEqual({
        action,
        status: 400,
        code: 'HTTP_INVALID_JSON',
      });
    }
  });
});
