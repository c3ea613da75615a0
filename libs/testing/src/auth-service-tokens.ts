/**
 * Real tokens from a real auth service (see startAuthService), obtained the way its clients
 * obtain them, through openid-client: client credentials for a service, and for a person the
 * authorization code flow with PKCE through the service's own sign-in and consent pages.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import * as oauth from 'openid-client';
import { discoverPublicClient, discoverServiceClient } from './auth-service-clients.ts';
import { type AuthServiceProcess, authServiceSource } from './auth-service-process.ts';
import { type Credentials, cliRedirect, exchangeCode, runCodeFlow } from './code-flow.ts';
import { PageBrowser, pageFormOf } from './page-browser.ts';

export interface ServiceTokenRequest {
  /** The calling service's client id, e.g. `tracking-ingestion`. */
  readonly clientId: string;
  /** The resource indicator of the service called, e.g. `urn:footfall:customer`. */
  readonly resource: string;
  readonly scopes: readonly string[];
}

export interface PersonTokenRequest {
  readonly role: 'customer-user' | 'platform-admin';
  /** For a customer user; a random customer id by default. */
  readonly customerId?: string;
  /** The resource the access token is for, e.g. `urn:footfall:customer`. */
  readonly resource: string;
  readonly scopes: readonly string[];
}

export interface PersonTokens {
  /** A JWT access token for `resource`, as the footfall CLI gets one. */
  readonly accessToken: string;
  /** The person, as made for this sign-in through the service's own user administration. */
  readonly person: {
    readonly id: string;
    readonly email: string;
    readonly password: string;
    readonly role: string;
    readonly customerId: string | null;
  };
}

type AuthService = Pick<AuthServiceProcess, 'issuer' | 'url' | 'clients' | 'databases'>;

/**
 * A client-credentials access token for one of the service clients. Rejects with
 * openid-client's ResponseBodyError (`error` holds the OAuth code) when refused.
 */
export async function obtainServiceToken(
  auth: Pick<AuthService, 'issuer' | 'clients'>,
  request: ServiceTokenRequest,
): Promise<string> {
  const configuration = await discoverServiceClient(auth, request.clientId);
  const parameters = { resource: request.resource, scope: request.scopes.join(' ') };

  return (await oauth.clientCredentialsGrant(configuration, parameters)).access_token;
}

/**
 * A person's access token: makes a new user of the role (a customer user through the user API,
 * a platform admin through the operator command), sets a password through the invitation link,
 * then signs in with the code flow as the footfall CLI and allows the consent page.
 */
export async function obtainPersonToken(
  auth: AuthService,
  request: PersonTokenRequest,
): Promise<PersonTokens> {
  const password = randomBytes(18).toString('base64url');
  const invited = await invitePerson(auth, request);
  const saved = await choosePassword(invited.invitationUrl, password);
  if (saved.status !== 200) throw new Error(`the password page answered ${saved.status}`);

  const person = { ...invited.person, password };
  return { accessToken: await signInThroughPages(auth, person, request), person };
}

async function invitePerson(auth: AuthService, request: PersonTokenRequest) {
  const email = `person-${randomBytes(6).toString('hex')}@example.test`;
  if (request.role === 'platform-admin') return inviteAdmin(auth, email);

  const customerId = request.customerId ?? randomUUID();
  const token = await obtainServiceToken(auth, {
    clientId: 'customer',
    resource: 'urn:footfall:auth',
    scopes: ['auth:users:write'],
  });
  const response = await fetch(`${auth.url}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, role: 'customer-user', customerId }),
  });
  const body = (await response.json()) as InvitedBody;
  if (response.status !== 201) throw new Error(`POST /users: ${JSON.stringify(body)}`);

  return invitedFrom(body);
}

interface InvitedBody {
  readonly user: { id: string; email: string; role: string; customerId?: string | null };
  readonly invitation: { url?: string };
}

async function inviteAdmin(auth: AuthService, email: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [resolve(authServiceSource, 'manage-admins.ts'), 'create', '--email', email],
    {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: auth.databases.services.auth.runtimeUrl,
        AUTH_ISSUER: auth.issuer,
      },
    },
  );

  return invitedFrom(JSON.parse(stdout) as InvitedBody);
}

function invitedFrom(body: InvitedBody) {
  const { user, invitation } = body;
  if (invitation.url === undefined) throw new Error('the invitation was mailed, not returned');

  const person = { id: user.id, email: user.email, role: user.role };
  return {
    person: { ...person, customerId: user.customerId ?? null },
    invitationUrl: invitation.url,
  };
}

/**
 * Opens a password link (an invitation or a reset) in a new browser and chooses `password` on
 * its page, as the person would; the answer to the form (200 when the password was saved).
 * Throws when the link does not open its page.
 */
export async function choosePassword(link: string, password: string): Promise<Response> {
  const browser = new PageBrowser();
  const page = await browser.request(link);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the link answered ${page.status}:\n${html}`);

  const form = pageFormOf(html);
  const fields = { csrf: form.csrf, password, confirmation: password };
  return browser.request(new URL(form.action, link), fields);
}

/**
 * Signs an existing person in as the footfall CLI, through the sign-in and consent pages, and
 * returns the access token for `request.resource` (a JWT carrying `role`, and `customer_id` for a
 * customer user). For logins made elsewhere, such as the demo logins of `pnpm start`.
 */
export async function signInThroughPages(
  auth: Pick<AuthService, 'issuer' | 'url'>,
  person: Credentials,
  request: Pick<PersonTokenRequest, 'resource' | 'scopes'>,
): Promise<string> {
  const cli = await discoverPublicClient(auth, 'footfall-cli');
  const { resource } = request;
  const scope = ['openid', ...request.scopes].join(' ');

  const flow = await runCodeFlow(
    auth,
    { configuration: cli, redirectUri: cliRedirect, scope, resource },
    person,
  );
  return (await exchangeCode(cli, flow, resource)).access_token;
}
