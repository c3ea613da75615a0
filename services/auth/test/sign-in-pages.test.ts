import { randomBytes } from 'node:crypto';
import { decodeEntities, PageBrowser } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeClients } from '../src/clients.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { directivesOf, expectStrictPage } from './page-policy.ts';
import {
  auditRowsOf,
  expectSignedIn,
  normalisedPage,
  openSignIn,
  type SignInSession,
  submitSignIn,
} from './sign-in-session.ts';
import { createTestUser, type TestUser } from './test-users.ts';

/** The email field's value as a browser would read it: entities decoded. */
function emailFieldOf(html: string): string | undefined {
  const raw = /<input name="email"[^>]*\svalue="([^"]*)"/.exec(html)?.[1];

  return raw === undefined ? undefined : decodeEntities(raw);
}

// One server for the file; each group signs in as users of its own.
let server: AuthServer;

beforeAll(async () => {
  // Address lockouts have their own tests; here they must not cut in after a few refusals.
  server = await startAuthServer({ env: { AUTH_LOCKOUT_ADDRESS_THRESHOLD: '1000' } });
});

afterAll(async () => {
  await server?.close();
});

describe('the sign-in page', () => {
  let user: TestUser;

  beforeAll(async () => {
    user = await createTestUser(server);
  });

  it('is strict HTML: CSP forbidding scripts and framing, not cached, no script or inline style', async () => {
    const session = await openSignIn(server);

    expect(session.page.status).toBe(200);
    expectStrictPage(session.page, session.html);
    expect(session.html).toContain('<link rel="stylesheet" href="/assets/auth.css">');
    expect(session.html).toMatch(/<input name="password" type="password"/);
  });

  it('keeps the same CSP and rules on its refusal and error pages', async () => {
    const session = await openSignIn(server);

    const refused = await submitSignIn(session, { email: user.email, password: 'wrong' });
    expect(refused.status).toBe(401);
    expectStrictPage(refused, await refused.text());

    const rejected = await submitSignIn(session, user, { email: user.email, password: 'x' });
    expect(rejected.status).toBe(403);
    expectStrictPage(rejected, await rejected.text());
  });

  // After the sign-in post the provider redirects to the client, and browsers hold that redirect
  // to form-action: a registered redirect URI the policy cannot name would be blocked there.
  it("allows every client's registered redirect URI in form-action", async () => {
    const session = await openSignIn(server);
    const formAction = directivesOf(session.page.headers.get('content-security-policy'));
    const sources = (formAction.get('form-action') ?? '').split(' ');
    const clients = describeClients({
      secrets: server.config.AUTH_CLIENT_SECRETS,
      dashboardRedirectUris: server.config.AUTH_DASHBOARD_REDIRECT_URIS,
    });
    const redirects = clients.flatMap((known) => known.redirect_uris ?? []);

    expect(redirects.length).toBeGreaterThan(1);
    for (const uri of redirects) {
      const { origin, protocol, hostname } = new URL(uri);
      const allowed = sources.includes(origin) || sources.includes(`${protocol}//${hostname}:*`);
      expect(allowed, `${uri} against form-action ${sources.join(' ')}`).toBe(true);
    }
  });

  it('serves its stylesheet from this origin', async () => {
    const response = await fetch(new URL('/assets/auth.css', server.url));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/css\b/);
    expect(await response.text()).toMatch(/\bbody\s*\{/);
  });

  it('escapes a submitted email when it shows the form again', async () => {
    const session = await openSignIn(server);
    const email = '"><script>alert(1)</script>@x.test';

    const response = await submitSignIn(session, { email, password: 'not the password' });
    const html = await response.text();

    expect(response.status).toBe(401);
    expect(html).not.toMatch(/<script/i);
    expect(emailFieldOf(html)).toBe(email);
  });

  it("refuses a form over 16 KiB with a 413 that names the pages' limit", async () => {
    const session = await openSignIn(server);

    const response = await submitSignIn(session, user, {
      csrf: session.csrf,
      email: user.email,
      password: 'x'.repeat(20_000),
    });

    expect(response.status).toBe(413);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('HTTP_BODY_TOO_LARGE');
    expect(body.message).toContain('16384');
  });

  it('refuses an email with a lone surrogate like any unknown one', async () => {
    const session = await openSignIn(server);
    const email = 'ann\ud800@example.test';

    const response = await submitSignIn(session, { email, password: 'not the password' });

    expect(response.status).toBe(401);
    expect(await response.text()).toContain('The email or password is not right.');
  });

  // PostgreSQL cannot store U+0000: looked up as given, it made the sign-in a 500.
  it('refuses an email with a NUL character with a coded 400, not a server error', async () => {
    const session = await openSignIn(server);
    const email = 'ann\u0000@example.test';

    const response = await submitSignIn(session, { email, password: 'not the password' });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('HTTP_INVALID_CHARACTER');
  });

  it('refuses an email longer than any address (254) as a rejected form', async () => {
    const session = await openSignIn(server);
    const email = `${'a'.repeat(990)}@x.test`;

    const response = await submitSignIn(session, { email, password: 'not the password' });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('AUTH_FORM_REJECTED');
  });

  it('never puts the password back in the form', async () => {
    const session = await openSignIn(server);
    const password = `secret-${randomBytes(8).toString('hex')}`;

    const response = await submitSignIn(session, { email: user.email, password });

    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(password);
  });
});

describe('CSRF protection of the sign-in form', () => {
  let user: TestUser;

  beforeAll(async () => {
    user = await createTestUser(server);
  });

  // The correct password goes with every forged post: only the CSRF check stands in the way.
  it.each([
    ['a wrong token', (session: SignInSession) => ({ csrf: `${session.csrf.slice(1)}A` })],
    ['no token', () => ({})],
    ['an empty token', () => ({ csrf: '' })],
  ])(
    'refuses a post with %s (403 AUTH_FORM_REJECTED) and does not sign in',
    async (_name, csrf) => {
      const victim = await createTestUser(server);
      const session = await openSignIn(server);

      const response = await submitSignIn(session, victim, {
        ...csrf(session),
        ...credentials(victim),
      });
      const html = await response.text();

      expect(response.status).toBe(403);
      expect(html).toContain('AUTH_FORM_REJECTED');
      expect(response.headers.get('location')).toBeNull();
      expect(await auditRowsOf(server, victim.id)).toEqual([]);

      // The interaction is still waiting for a sign-in, and a proper post still works.
      expectSignedIn(await submitSignIn(session, victim));
    },
  );

  it("refuses another interaction's token", async () => {
    const mine = await openSignIn(server);
    const other = await openSignIn(server);

    const response = await submitSignIn(mine, user, { csrf: other.csrf, ...credentials(user) });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('AUTH_FORM_REJECTED');
  });

  it('answers a browser without the interaction cookie with 400 AUTH_INTERACTION_EXPIRED', async () => {
    const session = await openSignIn(server);
    const before = (await auditRowsOf(server, user.id)).length;

    const stranger = new PageBrowser();
    const response = await stranger.request(session.action, {
      csrf: session.csrf,
      ...credentials(user),
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('AUTH_INTERACTION_EXPIRED');
    expect(response.headers.get('location')).toBeNull();
    expect(await auditRowsOf(server, user.id)).toHaveLength(before);
  });
});

describe('one answer for every refused sign-in', () => {
  async function refusal(email: string, password: string) {
    const session = await openSignIn(server);
    const response = await submitSignIn(session, { email, password });
    const html = await response.text();

    return { status: response.status, page: normalisedPage(html, session, email) };
  }

  it('answers an unknown email, a wrong password and a disabled account alike', async () => {
    const known = await createTestUser(server);
    const disabled = await createTestUser(server, { disabled: true });

    const wrongPassword = await refusal(known.email, `${known.password}x`);
    const unknownEmail = await refusal(`nobody-${known.email}`, known.password);
    const disabledAccount = await refusal(disabled.email, disabled.password);

    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.page).toContain('The email or password is not right.');
    expect(unknownEmail).toEqual(wrongPassword);
    expect(disabledAccount).toEqual(wrongPassword);
  });
});

function credentials(user: TestUser) {
  return { email: user.email, password: user.password };
}
