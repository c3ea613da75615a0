import {
  authorizationUrlOf,
  cliRedirect,
  discoverPublicClient,
  PageBrowser,
  pageFormOf,
  passSignInPages,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { storageKey } from '../src/oidc-adapter.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { runCodeFlow } from './code-flow.ts';
import { buttonFormOf, expectStrictPage } from './page-policy.ts';
import { auditRows, openSignIn } from './sign-in-session.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser, type TestUser } from './test-users.ts';

/**
 * The pages oidc-provider itself answers with (sign-out, its error page, and the steps it would
 * otherwise submit by script) are the service's own: no script, the sign-in pages' exact CSP,
 * and they work by pressing a button.
 */
describe("the provider's pages", () => {
  let server: AuthServer;
  let cli: client.Configuration;
  let user: TestUser;
  let signInPolicy: string | null;

  beforeAll(async () => {
    server = await startAuthServer();
    cli = await discoverPublicClient(server, 'footfall-cli');
    user = await createTestUser(server);
    signInPolicy = (await openSignIn(server)).page.headers.get('content-security-policy');
  });

  afterAll(async () => {
    await server?.close();
  });

  async function expectOurPage(response: Response): Promise<string> {
    const html = await response.text();

    expectStrictPage(response, html);
    expect(response.headers.get('content-security-policy')).toBe(signInPolicy);
    return html;
  }

  it('signs a person out with a form and a button, and the session and its grant end', async () => {
    const person = await createTestUser(server);
    const flow = await runCodeFlow(server, cliSignIn(), person);
    const [grantId] = await grantsOf(person);

    const question = await flow.browser.request(`${endSession()}?client_id=footfall-cli`);
    expect(question.status).toBe(200);
    const form = buttonFormOf(await expectOurPage(question), endSession());
    expect(form.action.href).toBe(`${endSession()}/confirm`);
    expect(form.button).toEqual({ logout: 'yes' });

    const confirmed = await flow.browser.request(form.action, { ...form.fields, ...form.button });
    expect(confirmed.status).toBe(303);
    const done = await flow.browser.request(locationOf(confirmed));
    expect(done.status).toBe(200);
    expect(await expectOurPage(done)).toContain('<h1>Signed out</h1>');

    // Signed out: the same browser is asked to sign in again, and the grant is gone for good.
    expect(await firstStepIn(flow.browser)).toMatch(/\/sign-in$/);
    expect(grantId).toEqual(expect.any(String));
    expect(await grantsOf(person)).toEqual([]);
    // The audit names the grant by its id; its stored row is keyed by the id's hash.
    await vi.waitFor(async () => {
      const revoked = (await auditRows(server))
        .filter((row) => row.event === 'grant_revoked')
        .map((row) => storageKey(String(row.detail.grantId)));
      expect(revoked).toContain(grantId);
    });
  });

  it('does not sign out on a post without the page’s one-time secret', async () => {
    const person = await createTestUser(server);
    const flow = await runCodeFlow(server, cliSignIn(), person);

    const forged = await flow.browser.request(`${endSession()}/confirm`, { logout: 'yes' });

    expect(forged.status).toBe(400);
    expect(await firstStepIn(flow.browser)).not.toMatch(/\/sign-in$/);
    expect(await grantsOf(person)).toHaveLength(1);
  });

  it('answers a browser that is not signed in with a Continue button instead of a script', async () => {
    const browser = new PageBrowser();

    const step = await browser.request(endSession());
    expect(step.status).toBe(200);
    const form = buttonFormOf(await expectOurPage(step), endSession());
    expect(form.action.href).toBe(`${endSession()}/confirm`);
    expect(form.fields).toEqual({ xsrf: expect.any(String), logout: 'yes' });
    expect(form.button).toEqual({});

    const confirmed = await browser.request(form.action, form.fields);
    expect(confirmed.status).toBe(303);
    expect(locationOf(confirmed).href).toBe(`${endSession()}/success`);
  });

  it('answers response_mode=form_post with a button that posts the code to the client', async () => {
    const request = { ...cliSignIn(), responseMode: 'form_post' as const };
    const { url, codeVerifier, state } = await authorizationUrlOf(request);

    const step = await passSignInPages(server, new PageBrowser(), { ...request, url }, user);
    if (!(step instanceof Response)) throw new Error(`redirected to ${step.href}, not a page`);
    expect(step.status).toBe(200);
    const form = buttonFormOf(await expectOurPage(step), server.url);
    expect(form.action.href).toBe(cliRedirect);
    expect(form.fields).toMatchObject({ code: expect.any(String), state });

    // What the browser posts when the button is pressed is a callback the client accepts.
    const callback = new Request(form.action, {
      method: 'POST',
      body: new URLSearchParams(form.fields),
    });
    const tokens = await client.authorizationCodeGrant(cli, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('renders its error page as ours, with the strict CSP', async () => {
    const response = await fetch(`${server.issuer}/auth?client_id=nobody`, {
      headers: { accept: 'text/html' },
    });

    expect(response.status).toBe(400);
    expect(await expectOurPage(response)).toContain('invalid_client');
  });

  function endSession(): string {
    return cli.serverMetadata().end_session_endpoint ?? '';
  }

  function cliSignIn() {
    return { configuration: cli, redirectUri: cliRedirect, scope: 'openid' };
  }

  /** Starts a new authorization request in `browser`; where its first page posts to. */
  async function firstStepIn(browser: PageBrowser): Promise<string> {
    const { url } = await authorizationUrlOf(cliSignIn());
    const step = await browser.follow(url, cliRedirect);
    if (!(step instanceof Response)) return step.href;

    return pageFormOf(await step.text()).action;
  }

  /** The storage keys of a person's grants. */
  function grantsOf(person: TestUser): Promise<string[]> {
    return withAuthPool(server, async (pool) => {
      const result = await pool.query<{ id: string }>(
        `SELECT id FROM auth.oidc_models WHERE model = 'Grant' AND payload->>'accountId' = $1`,
        [person.id],
      );
      return result.rows.map((row) => row.id);
    });
  }
});

function locationOf(response: Response): URL {
  return new URL(response.headers.get('location') ?? '', response.url);
}
