import { createHash, randomUUID } from 'node:crypto';
import {
  choosePassword,
  cliRedirect,
  dashboardRedirect,
  discoverPublicClient,
  discoverServiceClient,
  PageBrowser,
  pageFormOf,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthErrorCode, authErrors } from '../src/errors.ts';
import { escapeHtml } from '../src/html-pages.ts';
import { passwordLength } from '../src/password-policy.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { oauthErrorOf } from './oauth-clients.ts';
import { expectStrictPage } from './page-policy.ts';
import { openSignIn, submitSignIn } from './sign-in-session.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser, type TestUser } from './test-users.ts';
import {
  auditEventsOf,
  callUserApi,
  createUserViaApi,
  issueLinkViaApi,
  openLink,
  type PageAnswer,
  storedPasswordHash,
  submitPasswordForm,
  tokenOfLink,
  uniqueEmail,
  userApiToken,
} from './user-api-calls.ts';

const goodPassword = 'quiet lantern orchard fifteen';

let server: AuthServer;
let apiToken: string;

beforeAll(async () => {
  server = await startAuthServer();
  apiToken = await userApiToken(server);
});

afterAll(async () => {
  await server?.close();
});

/** A new customer user through the API, with the invitation link the API returned. */
async function invite(customerId = randomUUID()) {
  return createUserViaApi(server, apiToken, {
    email: uniqueEmail('invited'),
    role: 'customer-user',
    customerId,
  });
}

/** The catalogue's words for a code, as a page shows them. */
function wordsOf(code: AuthErrorCode): string {
  return escapeHtml(authErrors.create(code, { params: passwordLength }).message);
}

/** The algorithm and cost parameters of a PHC string such as `$argon2id$v=19$m=…,t=…,p=…$…`. */
function phcParts(hash: string | null): Record<string, string> {
  const [, algorithm = '', , parameters = ''] = (hash ?? '').split('$');
  const pairs = parameters.split(',').map((pair) => pair.split('=', 2));

  return { algorithm, ...Object.fromEntries(pairs) };
}

function expectPageError(page: PageAnswer, code: AuthErrorCode) {
  expect({ status: page.status, code }).toEqual({
    status: authErrors.catalogue[code].statusCode,
    code,
  });
  expect(page.html).toContain(code);
  expect(page.html).toContain(wordsOf(code));
}

describe('invitation links', () => {
  it('open a choose-a-password form under a strict CSP, never cached', async () => {
    const { invitation } = await invite();

    const page = await openLink(new PageBrowser(), invitation.url);

    expect(page.status).toBe(200);
    expectStrictPage(page, page.html);
    expect(pageFormOf(page.html).action).toBe(new URL(invitation.url).pathname);
  });

  it.each([
    [
      'a password one character too short',
      'a'.repeat(passwordLength.min - 1),
      undefined,
      'AUTH_PASSWORD_TOO_SHORT',
    ],
    [
      'a password one character too long',
      'a'.repeat(passwordLength.max + 1),
      undefined,
      'AUTH_PASSWORD_TOO_LONG',
    ],
    ['a confirmation that differs', goodPassword, `${goodPassword}!`, 'AUTH_PASSWORDS_DIFFER'],
  ] as const)(
    'refuse %s with 400 and show the form again',
    async (_case, password, confirmation, code) => {
      const { user, invitation } = await invite();
      const browser = new PageBrowser();
      const opened = await openLink(browser, invitation.url);

      const answer = await submitPasswordForm(browser, invitation.url, opened.html, {
        password,
        ...(confirmation === undefined ? {} : { confirmation }),
      });

      expect(answer.status).toBe(400);
      expect(answer.html).toContain(wordsOf(code));
      expect(pageFormOf(answer.html).action).toBe(new URL(invitation.url).pathname);
      expect(await storedPasswordHash(server, user.id)).toBeNull();
      // The mistake did not use the link up.
      expect((await openLink(new PageBrowser(), invitation.url)).status).toBe(200);
    },
  );

  it('accept a password of exactly the minimum length', async () => {
    const { user, invitation } = await invite();

    const saved = await choosePassword(invitation.url, 'b'.repeat(passwordLength.min));

    expect(saved.status).toBe(200);
    expect(await storedPasswordHash(server, user.id)).not.toBeNull();
  });

  it('save a good password once, after which the link is invalid for GET and POST', async () => {
    const { user, invitation } = await invite();
    const browser = new PageBrowser();
    const opened = await openLink(browser, invitation.url);

    const saved = await submitPasswordForm(browser, invitation.url, opened.html, {
      password: goodPassword,
    });
    const hashAfterFirstUse = await storedPasswordHash(server, user.id);
    const reopened = await openLink(new PageBrowser(), invitation.url);
    const resubmitted = await submitPasswordForm(browser, invitation.url, opened.html, {
      password: 'another passphrase entirely',
    });

    expect(saved.status).toBe(200);
    expect(saved.html).toContain('Password saved');
    expectPageError(reopened, 'AUTH_LINK_INVALID');
    expectPageError(resubmitted, 'AUTH_LINK_INVALID');
    expect(await storedPasswordHash(server, user.id)).toBe(hashAfterFirstUse);
  });

  it('let only one of two simultaneous submissions set the password', async () => {
    const { user, invitation } = await invite();
    const browser = new PageBrowser();
    const opened = await openLink(browser, invitation.url);
    const submit = (password: string) =>
      submitPasswordForm(browser, invitation.url, opened.html, { password });

    // Both pass the first look at the link while their passwords are hashed; using the link up
    // is what must let exactly one through.
    const answers = await Promise.all([submit(goodPassword), submit('the other passphrase')]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    const refused = answers.find((answer) => answer.status === 400);
    expect(refused?.html).toContain('AUTH_LINK_INVALID');
    const events = await auditEventsOf(server, user.id);
    expect(events.filter((entry) => entry.event === 'password_set')).toHaveLength(1);
  });

  it('let the person sign in with the chosen password, stored as argon2id', async () => {
    const customerId = randomUUID();
    const { user, invitation } = await invite(customerId);
    const dashboard = await discoverServiceClient(server, 'dashboard');

    await choosePassword(invitation.url, goodPassword);
    const request = { configuration: dashboard, redirectUri: dashboardRedirect, scope: 'openid' };
    const flow = await runCodeFlow(server, request, { email: user.email, password: goodPassword });
    const idToken = (await exchangeCode(dashboard, flow)).claims();
    const { config } = server;

    expect(idToken).toMatchObject({ sub: user.id, role: 'customer-user', customer_id: customerId });
    expect(phcParts(await storedPasswordHash(server, user.id))).toEqual({
      algorithm: 'argon2id',
      m: String(config.AUTH_ARGON2_MEMORY_KIB),
      t: String(config.AUTH_ARGON2_ITERATIONS),
      p: String(config.AUTH_ARGON2_PARALLELISM),
    });
    const read = await callUserApi(server, apiToken, 'GET', `/users/${user.id}`);
    expect(read.body.user).toMatchObject({ hasPassword: true });
  });

  it('are stored only as a SHA-256 of the token', async () => {
    const { user, invitation } = await invite();
    const token = tokenOfLink(invitation.url);

    const rows = await withAuthPool(server, async (pool) => {
      const result = await pool.query<{ token_hash: Buffer; row: string }>(
        `SELECT token_hash, t::text AS row FROM auth.one_time_tokens t WHERE user_id = $1`,
        [user.id],
      );
      return result.rows;
    });

    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    const rawHex = Buffer.from(token, 'base64url').toString('hex');
    for (const { row } of rows) {
      expect(row).not.toContain(token);
      expect(row).not.toContain(rawHex);
    }
  });

  it('refuse a form without its own CSRF token with 403, leaving the link usable', async () => {
    const { user, invitation } = await invite();
    const other = await invite();
    const browser = new PageBrowser();
    const opened = await openLink(browser, invitation.url);
    const otherCsrf = pageFormOf(
      (await openLink(new PageBrowser(), other.invitation.url)).html,
    ).csrf;

    for (const csrf of ['', 'forged', otherCsrf]) {
      const answer = await submitPasswordForm(browser, invitation.url, opened.html, {
        password: goodPassword,
        csrf,
      });
      expectPageError(answer, 'AUTH_FORM_REJECTED');
    }
    expect(await storedPasswordHash(server, user.id)).toBeNull();
    const saved = await submitPasswordForm(browser, invitation.url, opened.html, {
      password: goodPassword,
    });
    expect(saved.status).toBe(200);
  });

  it('stop working when a new invitation is issued for the same user', async () => {
    const { user, invitation: first } = await invite();
    const browser = new PageBrowser();
    const openedFirst = await openLink(browser, first.url);

    const second = await issueLinkViaApi(server, apiToken, user.id, 'invitation');
    const reopenedFirst = await openLink(new PageBrowser(), first.url);
    const submittedFirst = await submitPasswordForm(browser, first.url, openedFirst.html, {
      password: goodPassword,
    });

    expect(second.url).not.toBe(first.url);
    expectPageError(reopenedFirst, 'AUTH_LINK_INVALID');
    expectPageError(submittedFirst, 'AUTH_LINK_INVALID');
    expect(await storedPasswordHash(server, user.id)).toBeNull();
    expect((await choosePassword(second.url, goodPassword)).status).toBe(200);
  });

  it('answer AUTH_LINK_INVALID for a token that was never issued', async () => {
    const page = await openLink(new PageBrowser(), `${server.url}/password/${'A'.repeat(43)}`);

    expectPageError(page, 'AUTH_LINK_INVALID');
  });

  it('record password_set, naming the invitation, in the audit log', async () => {
    const { user, invitation } = await invite();

    await choosePassword(invitation.url, goodPassword);

    expect(await auditEventsOf(server, user.id)).toEqual([
      { event: 'user_created', detail: { role: 'customer-user' } },
      { event: 'password_set', detail: { via: 'invitation' } },
    ]);
  });
});

describe('expired links', () => {
  it('answer AUTH_LINK_INVALID on GET and POST once expires_at has passed', async () => {
    const { user, invitation } = await invite();
    const browser = new PageBrowser();
    const opened = await openLink(browser, invitation.url);

    await withAuthPool(server, (pool) =>
      pool.query(
        `UPDATE auth.one_time_tokens SET expires_at = clock_timestamp() - interval '1 second'
         WHERE user_id = $1`,
        [user.id],
      ),
    );
    const reopened = await openLink(new PageBrowser(), invitation.url);
    const submitted = await submitPasswordForm(browser, invitation.url, opened.html, {
      password: goodPassword,
    });

    expect(opened.status).toBe(200);
    expectPageError(reopened, 'AUTH_LINK_INVALID');
    expectPageError(submitted, 'AUTH_LINK_INVALID');
    expect(await storedPasswordHash(server, user.id)).toBeNull();
  });
});

describe('password resets', () => {
  const newPassword = 'a different and longer passphrase';
  let cli: client.Configuration;

  beforeAll(async () => {
    cli = await discoverPublicClient(server, 'footfall-cli');
  });

  async function refreshTokenOf(person: TestUser): Promise<string> {
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid offline_access',
    };
    const tokens = await exchangeCode(cli, await runCodeFlow(server, request, person));
    if (tokens.refresh_token === undefined) throw new Error('no refresh token issued');

    return tokens.refresh_token;
  }

  it('answer 201 with a link to the password page', async () => {
    const person = await createTestUser(server);

    const answer = await callUserApi(
      server,
      apiToken,
      'POST',
      `/users/${person.id}/password-reset`,
    );

    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body)).toEqual(['passwordReset']);
    expect(answer.body.passwordReset).toEqual({
      delivery: 'returned',
      url: expect.stringMatching(new RegExp(`^${server.url}/password/[A-Za-z0-9_-]{43}$`)),
      expiresAt: expect.any(String),
    });
  });

  it('leave the person signed in until the reset is completed', async () => {
    const person = await createTestUser(server);
    const refreshToken = await refreshTokenOf(person);

    await issueLinkViaApi(server, apiToken, person.id, 'password-reset');
    const refreshed = await client.refreshTokenGrant(cli, refreshToken);

    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  it('end every session once completed: the old refresh token and password stop working', async () => {
    const person = await createTestUser(server);
    const refreshToken = await refreshTokenOf(person);
    const reset = await issueLinkViaApi(server, apiToken, person.id, 'password-reset');

    const saved = await choosePassword(reset.url, newPassword);
    const refresh = await oauthErrorOf(client.refreshTokenGrant(cli, refreshToken));
    const withOld = await submitSignIn(await openSignIn(server), person);
    const withNew = await submitSignIn(await openSignIn(server), {
      email: person.email,
      password: newPassword,
    });

    expect(saved.status).toBe(200);
    expect(refresh).toBe('invalid_grant');
    expect(withOld.status).toBe(401);
    expect(withNew.status).toBe(303);
  });

  it('are single use, like invitations', async () => {
    const person = await createTestUser(server);
    const reset = await issueLinkViaApi(server, apiToken, person.id, 'password-reset');

    await choosePassword(reset.url, newPassword);

    expectPageError(await openLink(new PageBrowser(), reset.url), 'AUTH_LINK_INVALID');
  });

  it('record password_reset_requested and then password_set, naming the reset', async () => {
    const person = await createTestUser(server);
    const reset = await issueLinkViaApi(server, apiToken, person.id, 'password-reset');

    await choosePassword(reset.url, newPassword);

    expect(await auditEventsOf(server, person.id)).toEqual([
      { event: 'password_reset_requested', detail: {} },
      { event: 'password_set', detail: { via: 'password_reset' } },
    ]);
  });
});

describe('a new invitation for someone who already has a password', () => {
  it('ends their sessions when used, as a reset does', async () => {
    // Re-sending an invitation is how an admin helps someone who lost the first one; once a
    // password exists, the link replaces it, so whoever held the old one must be signed out.
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const person = await createTestUser(server);
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid offline_access',
    };
    const tokens = await exchangeCode(cli, await runCodeFlow(server, request, person));
    const invitation = await issueLinkViaApi(server, apiToken, person.id, 'invitation');

    await choosePassword(invitation.url, goodPassword);

    expect(await oauthErrorOf(client.refreshTokenGrant(cli, tokens.refresh_token ?? ''))).toBe(
      'invalid_grant',
    );
  });
});
