/**
 * The authorization code flow with PKCE S256 the way a person goes through it: openid-client
 * builds the request, a PageBrowser follows it to the auth service's sign-in page, fills that in,
 * answers the consent page, and ends at the client's redirect URI.
 */
import * as oauth from 'openid-client';
import type { AuthServiceProcess } from './auth-service-process.ts';
import { PageBrowser, pageFormOf } from './page-browser.ts';

/** The footfall CLI's loopback redirect (any port is accepted on it, RFC 8252). */
export const cliRedirect = 'http://127.0.0.1:53682/callback';
/** The dashboard's redirect URI, the one the auth service allows by default. */
export const dashboardRedirect = 'http://127.0.0.1:4100/auth/callback';

/** What a person types into the sign-in page. */
export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface AuthorizationRequest {
  readonly configuration: oauth.Configuration;
  readonly redirectUri: string;
  readonly scope: string;
  /** An RFC 8707 resource for the access token, e.g. `urn:footfall:customer`. */
  readonly resource?: string;
  /** OpenID Connect `prompt`; `consent` shows the consent page even where it would be skipped. */
  readonly prompt?: string;
  /** `form_post`: the provider answers with a page that posts the code, not a redirect. */
  readonly responseMode?: 'form_post';
}

/** An authorization request ready to follow, and what the client keeps to redeem its code. */
export interface StartedAuthorization {
  readonly url: URL;
  readonly codeVerifier: string;
  readonly state: string;
}

export interface CodeFlowRequest extends AuthorizationRequest {
  /** The button pressed on the consent page. @default 'allow' */
  readonly consent?: 'allow' | 'deny';
}

export interface CodeFlowResult extends Omit<StartedAuthorization, 'url'> {
  /** Where the provider sent the browser back: the redirect URI with `code` and `state`. */
  readonly callback: URL;
  /** The browser the person signed in with, its session cookie kept. */
  readonly browser: PageBrowser;
}

/** Where a browser starts the sign-in, and what it answers on the pages on the way. */
export interface SignInPages {
  /** An authorization request, e.g. from authorizationUrlOf. */
  readonly url: URL;
  /** Where the flow ends: the browser stops before leaving for it. */
  readonly redirectUri: string;
  /** The button pressed on the consent page. @default 'allow' */
  readonly consent?: 'allow' | 'deny';
}

type AuthService = Pick<AuthServiceProcess, 'url'>;

/** An authorization code request with a fresh PKCE verifier (S256) and state. */
export async function authorizationUrlOf(
  request: AuthorizationRequest,
): Promise<StartedAuthorization> {
  const codeVerifier = oauth.randomPKCECodeVerifier();
  const state = oauth.randomState();
  const optional = {
    resource: request.resource,
    prompt: request.prompt,
    response_mode: request.responseMode,
  };

  const url = oauth.buildAuthorizationUrl(request.configuration, {
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  });
  return { url, codeVerifier, state };
}

/**
 * Runs the code flow in a new browser, signing in with `credentials` and answering the consent
 * page, up to the client's redirect URI. Throws, with the page, when it ends on a page instead
 * (a refused sign-in, an error page).
 */
export async function runCodeFlow(
  auth: AuthService,
  request: CodeFlowRequest,
  credentials: Credentials,
): Promise<CodeFlowResult> {
  const { url, codeVerifier, state } = await authorizationUrlOf(request);
  const browser = new PageBrowser();

  const ended = await passSignInPages(auth, browser, { ...request, url }, credentials);
  if (ended instanceof Response) {
    throw new Error(`sign-in ended on a page (${ended.status}):\n${await ended.text()}`);
  }

  return { callback: ended, codeVerifier, state, browser };
}

/** Redeems the code a flow ended with, checking state and PKCE as a client must. */
export function exchangeCode(
  configuration: oauth.Configuration,
  flow: Pick<CodeFlowResult, 'callback' | 'codeVerifier' | 'state'>,
  resource?: string,
) {
  return oauth.authorizationCodeGrant(
    configuration,
    flow.callback,
    { pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state },
    resource === undefined ? undefined : { resource },
  );
}

/**
 * Follows an authorization request in `browser` and answers each sign-in and consent page once.
 * Resolves with the redirect URI the provider sent the browser to (`code` or `error` on it), or
 * with the first other page, still unread: a refusal, an error page, a form_post step.
 */
export async function passSignInPages(
  auth: AuthService,
  browser: PageBrowser,
  pages: SignInPages,
  credentials: Credentials,
): Promise<URL | Response> {
  let step = await browser.follow(pages.url, pages.redirectUri);

  for (let answered = 0; answered < 4 && step instanceof Response; answered += 1) {
    const form = await interactionFormOf(step);
    if (form === undefined) return step;

    const { email, password } = credentials;
    const fields = form.action.endsWith('/sign-in')
      ? { csrf: form.csrf, email, password }
      : { csrf: form.csrf, action: pages.consent ?? 'allow' };
    const answer = await browser.request(new URL(form.action, auth.url), fields);
    const location = answer.headers.get('location');
    step =
      location === null
        ? answer
        : await browser.follow(new URL(location, auth.url), pages.redirectUri);
  }

  return step;
}

// Of the pages on the way, only sign-in and consent carry a CSRF field. Read from a copy, so the
// page is still whole when it is handed back.
async function interactionFormOf(page: Response) {
  if (page.status !== 200) return undefined;

  const html = await page.clone().text();
  return /<input type="hidden" name="csrf"/.test(html) ? pageFormOf(html) : undefined;
}
