import { PageBrowser, pageFormOf } from '@footfall/testing';
import * as client from 'openid-client';
import type { AuthServer } from './auth-server.ts';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface CodeFlowRequest {
  readonly configuration: client.Configuration;
  readonly redirectUri: string;
  readonly scope: string;
  /** An RFC 8707 resource for the access token, e.g. `urn:footfall:customer`. */
  readonly resource?: string;
  readonly consent?: 'allow' | 'deny';
}

export interface CodeFlowResult {
  /** Where the provider sent the browser back: the redirect URI with `code` and `state`. */
  readonly callback: URL;
  readonly codeVerifier: string;
  readonly state: string;
  readonly browser: PageBrowser;
}

/**
 * Runs the authorization code flow with PKCE S256 the way a person does it: openid-client builds
 * the request, a browser follows it to the sign-in page, fills in the form, allows the consent
 * page, and ends at the client's redirect URI.
 */
export async function runCodeFlow(
  server: Pick<AuthServer, 'url'>,
  request: CodeFlowRequest,
  credentials: Credentials,
): Promise<CodeFlowResult> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(request.configuration, {
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    // The consent page is only shown for offline_access when the client asks for it.
    prompt: 'consent',
    ...(request.resource === undefined ? {} : { resource: request.resource }),
  });
  const browser = new PageBrowser();

  let step = await browser.follow(url, request.redirectUri);
  for (let page = 0; page < 4 && step instanceof Response; page += 1) {
    step = await submitPage(server, browser, step, request, credentials);
  }
  if (step instanceof Response) {
    throw new Error(`sign-in ended on a page (${step.status}):\n${await step.text()}`);
  }

  return { callback: step, codeVerifier, state, browser };
}

async function submitPage(
  server: Pick<AuthServer, 'url'>,
  browser: PageBrowser,
  page: Response,
  request: CodeFlowRequest,
  credentials: Credentials,
): Promise<URL | Response> {
  if (page.status !== 200) return page;

  const { action, csrf } = pageFormOf(await page.text());
  const fields = action.endsWith('/sign-in')
    ? { csrf, email: credentials.email, password: credentials.password }
    : { csrf, action: request.consent ?? 'allow' };
  const answer = await browser.request(new URL(action, server.url), fields);
  const location = answer.headers.get('location');
  if (location === null) return answer;

  return browser.follow(new URL(location, server.url), request.redirectUri);
}

/** Exchanges the code the flow ended with, checking state and PKCE as a client must. */
export function exchangeCode(
  configuration: client.Configuration,
  flow: CodeFlowResult,
  resource?: string,
) {
  return client.authorizationCodeGrant(
    configuration,
    flow.callback,
    { pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state },
    resource === undefined ? undefined : { resource },
  );
}
