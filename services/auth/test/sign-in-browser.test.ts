import { createServer, type Server } from 'node:http';
import { findChromium } from '@footfall/testing';
import * as client from 'openid-client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { discoverPublicClient } from './oauth-clients.ts';
import { createTestUser, type TestUser } from './test-users.ts';

// The tests compile without the DOM library; this is the one browser function a page check calls.
declare function getComputedStyle(element: unknown): { readonly backgroundColor: string };

// Root needs --no-sandbox; the rest keep Chromium off a network these machines do not have.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The sign-in in a real browser, as the admin CLI does it: Chromium opens the authorization URL,
 * a person types into the page and clicks, and the browser lands on the CLI's loopback callback.
 * Proves what an HTTP client cannot: the CSP lets the pages work (stylesheet, form posts and the
 * cross-origin redirect after them) and the browser reports no violation.
 */
describe('sign-in in Chromium', () => {
  let unavailable: string | undefined;
  let server: AuthServer;
  let browser: Browser;
  let callback: CallbackReceiver;
  let user: TestUser;

  beforeAll(async () => {
    const found = await findChromium();
    if ('unavailable' in found) {
      unavailable = found.unavailable;
      process.stdout.write(`[sign-in browser test] skipped: ${unavailable}\n`);
      return;
    }

    server = await startAuthServer();
    browser = await chromium.launch({ executablePath: found.executablePath, args: chromiumArgs });
    callback = await receiveCallbacks();
    user = await createTestUser(server, { role: 'platform-admin' });
  });

  afterAll(async () => {
    await browser?.close();
    await callback?.close();
    await server?.close();
  });

  it('signs in through the pages and returns a code the CLI exchanges', async (context) => {
    if (unavailable !== undefined) return context.skip(unavailable);
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(cli, {
      redirect_uri: callback.redirectUri,
      scope: 'openid',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text()))
        violations.push(message.text());
    });

    await page.goto(authorizationUrl.href);
    const buttonColour = await page
      .locator('button[value="sign-in"]')
      .evaluate((button) => getComputedStyle(button).backgroundColor);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[value="sign-in"]');
    await page.click('button[value="allow"]');
    const landed = await callback.next(15_000, () => violations.join('; '));

    const tokens = await client.authorizationCodeGrant(cli, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.role).toBe('platform-admin');
    // The page's own stylesheet applied: the CSP's style-src 'self' lets it in.
    expect(buttonColour).toBe('rgb(36, 80, 199)');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('shows the refusal on the page for a wrong password and stays on it', async (context) => {
    if (unavailable !== undefined) return context.skip(unavailable);
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const authorizationUrl = client.buildAuthorizationUrl(cli, {
      redirect_uri: callback.redirectUri,
      scope: 'openid',
      state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const page = await browser.newPage();

    await page.goto(authorizationUrl.href);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', `${user.password}-wrong`);
    await page.click('button[value="sign-in"]');

    expect(await page.locator('[role="alert"]').textContent()).toBe(
      'The email or password is not right.',
    );
    // The email stays filled in; the password never comes back.
    expect(await page.inputValue('input[name="email"]')).toBe(user.email);
    expect(await page.inputValue('input[name="password"]')).toBe('');
    await page.close();
  });
});

describe('sign-out and the provider’s steps in Chromium', () => {
  let unavailable: string | undefined;
  let server: AuthServer;
  let browser: Browser;
  let callback: CallbackReceiver;
  let cli: client.Configuration;

  beforeAll(async () => {
    const found = await findChromium();
    if ('unavailable' in found) {
      unavailable = found.unavailable;
      process.stdout.write(`[sign-out browser test] skipped: ${unavailable}\n`);
      return;
    }

    server = await startAuthServer();
    browser = await chromium.launch({ executablePath: found.executablePath, args: chromiumArgs });
    callback = await receiveCallbacks();
    cli = await discoverPublicClient(server, 'footfall-cli');
  });

  afterAll(async () => {
    await browser?.close();
    await callback?.close();
    await server?.close();
  });

  async function openPage() {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text()))
        violations.push(message.text());
    });
    return { page, violations };
  }

  async function authorizationUrl(extra: Record<string, string> = {}) {
    return client.buildAuthorizationUrl(cli, {
      redirect_uri: callback.redirectUri,
      scope: 'openid',
      state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      ...extra,
    });
  }

  it('signs out by pressing the page’s button, with no script and no CSP violation', async (context) => {
    if (unavailable !== undefined) return context.skip(unavailable);
    const user = await createTestUser(server);
    const { page, violations } = await openPage();
    await page.goto((await authorizationUrl()).href);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[value="sign-in"]');
    await page.click('button[value="allow"]');
    await callback.next(15_000, () => violations.join('; '));

    await page.goto(`${cli.serverMetadata().end_session_endpoint}?client_id=footfall-cli`);
    expect(await page.locator('h1').textContent()).toBe('Sign out of Footfall?');
    await page.click('button[value="yes"]');
    await page.waitForURL(/\/session\/end\/success$/);

    expect(await page.locator('h1').textContent()).toBe('Signed out');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('goes on from a step the provider would submit by script, with a click', async (context) => {
    if (unavailable !== undefined) return context.skip(unavailable);
    const user = await createTestUser(server);
    const { page, violations } = await openPage();

    // form_post: the code reaches the CLI's loopback callback by a cross-origin form post.
    await page.goto((await authorizationUrl({ response_mode: 'form_post' })).href);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[value="sign-in"]');
    await page.click('button[value="allow"]');
    expect(await page.locator('h1').textContent()).toBe('Continue to Footfall');
    await page.click('button:has-text("Continue")');
    const landed = await callback.next(15_000, () => violations.join('; '));

    expect(landed.pathname).toBe('/callback');
    expect(violations).toEqual([]);
    await page.close();
  });
});

interface CallbackReceiver {
  readonly redirectUri: string;
  /** The next URL the browser was sent to; fails after `timeoutMs` with `explain()` in the error. */
  next(timeoutMs: number, explain: () => string): Promise<URL>;
  close(): Promise<void>;
}

/** The CLI's side of RFC 8252: a loopback listener that receives the redirect. */
async function receiveCallbacks(): Promise<CallbackReceiver> {
  const arrived: URL[] = [];
  const waiting: ((url: URL) => void)[] = [];
  const server: Server = createServer((request, response) => {
    response.end('You can close this window.');
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port()}`);
    // The browser also asks for /favicon.ico; only the redirect counts.
    if (url.pathname !== '/callback') return;

    const waiter = waiting.shift();
    if (waiter === undefined) arrived.push(url);
    else waiter(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = () => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  };

  return {
    redirectUri: `http://127.0.0.1:${port()}/callback`,
    next: (timeoutMs, explain) => {
      const early = arrived.shift();
      if (early !== undefined) return Promise.resolve(early);

      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.length = 0;
          reject(new Error(`the browser never reached the callback; it reported: ${explain()}`));
        }, timeoutMs);
        waiting.push((url) => {
          clearTimeout(timer);
          resolve(url);
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
