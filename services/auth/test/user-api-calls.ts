import { obtainServiceToken, type PageBrowser, pageFormOf } from '@footfall/testing';
/**
 * Helpers for the user API and password-link tests: calling the API with the customer service's
 * token, following the links it returns in a browser, and reading what the database kept.
 */
import { userApiResource, userApiScope } from '../src/user-api-access.ts';
import type { AuthServer } from './auth-server.ts';
import { type AuditRow, auditRowsOf } from './sign-in-session.ts';
import { withAuthPool } from './test-pool.ts';

/** A user as the API presents one. */
export interface PresentedUser {
  readonly id: string;
  readonly email: string;
  readonly role: 'customer-user' | 'platform-admin';
  readonly customerId: string | null;
  readonly disabled: boolean;
  readonly hasPassword: boolean;
  readonly createdAt: string;
}

/** An invitation or reset link as the API returns it. */
export interface IssuedLink {
  /** `returned` without SMTP; `sent` (and no url) when the link was mailed instead. */
  readonly delivery: 'returned' | 'sent';
  readonly url: string;
  readonly expiresAt: string;
}

/** The parts of an API answer the tests look at; `body` is the parsed JSON. */
export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** A fresh client-credentials token of the customer service for the user API. */
export function userApiToken(server: AuthServer): Promise<string> {
  const request = { clientId: 'customer', resource: userApiResource, scopes: [userApiScope] };

  return obtainServiceToken(server, request);
}

/** One request to the user API; `token` undefined sends no Authorization header. */
export async function callUserApi(
  server: AuthServer,
  token: string | undefined,
  method: string,
  path: string,
  json?: unknown,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';

  const response = await fetch(new URL(path, server.url), {
    method,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: response.status, headers: response.headers, body: await jsonOf(response) };
}

/** A request with a body exactly as given, for malformed-input tests. */
export async function sendRaw(
  server: AuthServer,
  token: string,
  path: string,
  contentType: string,
  body: string,
): Promise<ApiAnswer> {
  const response = await fetch(new URL(path, server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  return { status: response.status, headers: response.headers, body: await jsonOf(response) };
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (text === '') return {};

  return JSON.parse(text) as Record<string, unknown>;
}

export interface NewUserInput {
  readonly email: string;
  readonly role: 'customer-user' | 'platform-admin';
  readonly customerId?: string;
}

/** POST /users, which must succeed: the created user and the invitation link. */
export async function createUserViaApi(
  server: AuthServer,
  token: string,
  input: NewUserInput,
): Promise<{ user: PresentedUser; invitation: IssuedLink }> {
  const answer = await callUserApi(server, token, 'POST', '/users', input);
  if (answer.status !== 201) throw new Error(`POST /users: ${JSON.stringify(answer)}`);

  return answer.body as unknown as { user: PresentedUser; invitation: IssuedLink };
}

/** POST /users/:id/<action> that issues a link and must succeed; the link under `key`. */
export async function issueLinkViaApi(
  server: AuthServer,
  token: string,
  userId: string,
  action: 'invitation' | 'password-reset',
): Promise<IssuedLink> {
  const answer = await callUserApi(server, token, 'POST', `/users/${userId}/${action}`);
  if (answer.status !== 201) throw new Error(`POST ${action}: ${JSON.stringify(answer)}`);

  const key = action === 'invitation' ? 'invitation' : 'passwordReset';
  return answer.body[key] as IssuedLink;
}

/** A valid POST /users body: a new customer user of a random customer. */
export function customerUserInput(label: string): NewUserInput {
  return { email: uniqueEmail(label), role: 'customer-user', customerId: crypto.randomUUID() };
}

/** A random, unused email, upper- and lower-case mixed so normalisation is exercised. */
export function uniqueEmail(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@Example.TEST`;
}

/** A page as the browser got it. */
export interface PageAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
}

async function pageOf(response: Response): Promise<PageAnswer> {
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** Opens a password link in the browser. */
export async function openLink(browser: PageBrowser, url: string): Promise<PageAnswer> {
  return pageOf(await browser.request(url));
}

/** Submits the password form of a page the browser has open; the form's CSRF unless given. */
export async function submitPasswordForm(
  browser: PageBrowser,
  url: string,
  html: string,
  fields: { password: string; confirmation?: string; csrf?: string },
): Promise<PageAnswer> {
  const form = pageFormOf(html);
  const answer = await browser.request(new URL(form.action, url), {
    csrf: fields.csrf ?? form.csrf,
    password: fields.password,
    confirmation: fields.confirmation ?? fields.password,
  });
  return pageOf(answer);
}

/** The audit events recorded for a user, oldest first. */
export async function auditEventsOf(
  server: AuthServer,
  userId: string,
): Promise<Pick<AuditRow, 'event' | 'detail'>[]> {
  const rows = await auditRowsOf(server, userId);

  return rows.map(({ event, detail }) => ({ event, detail }));
}

/** The stored password hash of a user, or null. */
export function storedPasswordHash(server: AuthServer, userId: string): Promise<string | null> {
  return withAuthPool(server, async (pool) => {
    const result = await pool.query<{ password_hash: string | null }>(
      'SELECT password_hash FROM auth.users WHERE id = $1',
      [userId],
    );
    return result.rows[0]?.password_hash ?? null;
  });
}

/** How many provider records (sessions, grants, codes, tokens) name the user's account. */
export function providerRecordsOf(server: AuthServer, userId: string): Promise<number> {
  return withAuthPool(server, async (pool) => {
    const result = await pool.query<{ count: string }>(
      `SELECT count(*) FROM auth.oidc_models WHERE payload->>'accountId' = $1`,
      [userId],
    );
    return Number(result.rows[0]?.count ?? 0);
  });
}

/** The raw token at the end of a password link. */
export function tokenOfLink(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').at(-1) ?? '');
}

/** The role of the user with this email, straight from the database; undefined when none. */
export function userRoleByEmail(server: AuthServer, email: string): Promise<string | undefined> {
  return withAuthPool(server, async (pool) => {
    const result = await pool.query<{ role: string }>(
      'SELECT role FROM auth.users WHERE email = lower($1)',
      [email],
    );
    return result.rows[0]?.role;
  });
}

/** How many invitation and reset tokens were ever issued for a user. */
export function oneTimeTokenCount(server: AuthServer, userId: string): Promise<number> {
  return withAuthPool(server, async (pool) => {
    const result = await pool.query<{ count: string }>(
      'SELECT count(*) FROM auth.one_time_tokens WHERE user_id = $1',
      [userId],
    );
    return Number(result.rows[0]?.count ?? 0);
  });
}
