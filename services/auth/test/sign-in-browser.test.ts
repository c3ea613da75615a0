import { createServer, type Server } from 'node:http';
import {
  authorizationUrlOf,
  type Credentials,
  discoverPublicClient,
  exchangeCode,
  findChromium,
} from '@footfall/testing';
import type * as client from 'openid-client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { createTestUser } from './test-users.ts';

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

// One auth server, browser and callback receiver for the file; each page has its own context.
const chromiumSuite = setUpChromiumSuite('sign-in browser test');

/**
 * The sign-in in a real browser, as the admin CLI does it: Chromium opens the authorization URL,
 * a person types into the page and clicks, and the browser lands on the CLI's loopback callback.
 * Proves what an HTTP client cannot: the CSP lets the pages work (stylesheet, form posts and the
 * cross-origin redirect after them) and the browser reports no violation.
 */
describe('sign-in in Chromium', () => {
  it('signs in through the pages and returns a code the CLI exchanges', async (context) => {
    const suite = chromiumSuite(context);
    const user = await createTestUser(suite.server, { role: 'platform-admin' });
    const request = await authorizationUrlOf(signInRequest(suite));
    const { page, violations } = await openPage(suite.browser);

    await page.goto(request.url.href);
    const buttonColour = await page
      .locator('button[value="sign-in"]')
      .evaluate((button) => getComputedStyle(button).backgroundColor);
    await signInAndAllow(page, user);
    const landed = await suite.callback.next(15_000, () => violations.join('; '));

    const tokens = await exchangeCode(suite.cli, { ...request, callback: landed });
    expect(tokens.claims()?.role).toBe('platform-admin');
    // The page's own stylesheet applied: the CSP's style-src 'self' lets it in.
    expect(buttonColour).toBe('rgb(36, 80, 199)');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('shows the refusal on the page for a wrong password and stays on it', async (context) => {
    const suite = chromiumSuite(context);
    const user = await createTestUser(suite.server, { role: 'platform-admin' });
    const { url } = await authorizationUrlOf(signInRequest(suite));
    const page = await suite.browser.newPage();

    await page.goto(url.href);
    await signInOn(page, { email: user.email, password: `${user.password}-wrong` });

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
  it('signs out by pressing the page’s button, with no script and no CSP violation', async (context) => {
    const suite = chromiumSuite(context);
    const user = await createTestUser(suite.server);
    const { url } = await authorizationUrlOf(signInRequest(suite));
    const { page, violations } = await openPage(suite.browser);
    await page.goto(url.href);
    await signInAndAllow(page, user);
    await suite.callback.next(15_000, () => violations.join('; '));

    await page.goto(`${suite.cli.serverMetadata().end_session_endpoint}?client_id=footfall-cli`);
    expect(await page.locator('h1').textContent()).toBe('Sign out of Footfall?');
    await page.click('button[value="yes"]');
    await page.waitForURL(/\/session\/end\/success$/);

    expect(await page.locator('h1').textContent()).toBe('Signed out');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('goes on from a step the provider would submit by script, with a click', async (context) => {
    const suite = chromiumSuite(context);
    const user = await createTestUser(suite.server);
    const { page, violations } = await openPage(suite.browser);

    // form_post: the code reaches the CLI's loopback callback by a cross-origin form post.
    const request = { ...signInRequest(suite), responseMode: 'form_post' as const };
    await page.goto((await authorizationUrlOf(request)).url.href);
    await signInAndAllow(page, user);
    expect(await page.locator('h1').textContent()).toBe('Continue to Footfall');
    await page.click('button:has-text("Continue")');
    const landed = await suite.callback.next(15_000, () => violations.join('; '));

    expect(landed.pathname).toBe('/callback');
    expect(violations).toEqual([]);
    await page.close();
  });
});

interface ChromiumSuite {
  readonly server: AuthServer;
  readonly cli: client.Configuration;
  readonly browser: Browser;
  readonly callback: CallbackReceiver;
}

/**
 * Registers the hooks of a describe block that drives Chromium: its own auth server, the browser
 * and a callback receiver, all closed after it. Each test takes them from the function returned,
 * which skips the test instead when there is no Chromium here.
 */
function setUpChromiumSuite(label: string): (context: TestContext) => ChromiumSuite {
  let suite: ChromiumSuite | undefined;
  let unavailable = 'the suite did not start';
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const found = await findChromium();
    if ('unavailable' in found) {
      unavailable = found.unavailable;
      process.stdout.write(`[${label}] skipped: ${unavailable}\n`);
      return;
    }

    const server = await startAuthServer();
    opened.push(server);
    const browser = await chromium.launch({
      executablePath: found.executablePath,
      args: chromiumArgs,
    });
    opened.push(browser);
    const callback = await receiveCallbacks();
    opened.push(callback);
    suite = { server, browser, callback, cli: await discoverPublicClient(server, 'footfall-cli') };
  });

  afterAll(async () => {
    for (const part of opened.reverse()) await part.close();
  });

  return (context) => suite ?? context.skip(unavailable);
}

/** The CLI's authorization request, redirecting to the suite's callback receiver. */
function signInRequest(suite: ChromiumSuite) {
  return { configuration: suite.cli, redirectUri: suite.callback.redirectUri, scope: 'openid' };
}

/** A new page, and the Content-Security-Policy violations it reports on its console. */
async function openPage(browser: Browser) {
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });

  return { page, violations };
}

/** Types the credentials into the sign-in page and presses its button. */
async function signInOn(page: Page, credentials: Credentials): Promise<void> {
  await page.fill('input[name="email"]', credentials.email);
  await page.fill('input[name="password"]', credentials.password);
  await page.click('button[value="sign-in"]');
}

async function signInAndAllow(page: Page, credentials: Credentials): Promise<void> {
  await signInOn(page, credentials);
  await page.click('button[value="allow"]');
}

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
