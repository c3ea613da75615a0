import {
  authorizationUrlOf,
  type Credentials,
  cliRedirect,
  discoverPublicClient,
  PageBrowser,
  pageFormOf,
} from '@footfall/testing';
/**
 * Helpers for tests of the sign-in pages: reach the sign-in page the way a person does, post its
 * form, and read back what the service recorded (audit rows, the audit counter, log lines).
 */
import type * as client from 'openid-client';
import { expect } from 'vitest';
import { escapeHtml } from '../src/html-pages.ts';
import type { AuthServer } from './auth-server.ts';
import { withAuthPool } from './test-pool.ts';

export interface SignInSession {
  readonly browser: PageBrowser;
  /** The interaction's id, part of the form's action. */
  readonly uid: string;
  /** Where the sign-in form posts, absolute. */
  readonly action: URL;
  readonly csrf: string;
  /** The sign-in page as first served; its body is in `html`. */
  readonly page: Response;
  readonly html: string;
}

const configurations = new WeakMap<AuthServer, Promise<client.Configuration>>();

/** Starts an authorization request as the CLI and follows it, in a new browser, to sign-in. */
export async function openSignIn(server: AuthServer): Promise<SignInSession> {
  const cached = configurations.get(server) ?? discoverPublicClient(server, 'footfall-cli');
  configurations.set(server, cached);
  const request = { configuration: await cached, redirectUri: cliRedirect, scope: 'openid' };
  const { url } = await authorizationUrlOf(request);

  const browser = new PageBrowser();
  const page = await browser.follow(url, cliRedirect);
  if (!(page instanceof Response) || page.status !== 200) {
    throw new Error(`expected the sign-in page, got ${String(page)}`);
  }
  const html = await page.text();
  const form = pageFormOf(html);
  const action = new URL(form.action, server.url);
  const uid = /^\/interaction\/([^/]+)\/sign-in$/.exec(action.pathname)?.[1];
  if (uid === undefined) throw new Error(`not a sign-in form: ${form.action}`);

  return { browser, uid, action, csrf: form.csrf, page, html };
}

/** Posts the sign-in form with the page's CSRF token; `form` replaces the fields outright. */
export function submitSignIn(
  session: SignInSession,
  credentials: Credentials,
  form: Record<string, string> = { csrf: session.csrf, ...credentials },
): Promise<Response> {
  return session.browser.request(session.action, form);
}

/** Posts the form once per password and returns the statuses, in order. */
export async function signInStatuses(
  session: SignInSession,
  email: string,
  passwords: readonly string[],
): Promise<number[]> {
  const statuses: number[] = [];
  for (const password of passwords) {
    const response = await submitSignIn(session, { email, password });
    await response.arrayBuffer();
    statuses.push(response.status);
  }

  return statuses;
}

/** A sign-in answered by sending the browser on (303): the person is signed in. */
export function expectSignedIn(response: Response): void {
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toEqual(expect.any(String));
}

/**
 * A page with what rightly differs between two tries replaced by placeholders: the interaction's
 * uid, its CSRF token and the email typed in. What is left must not tell the tries apart.
 */
export function normalisedPage(html: string, session: SignInSession, email: string): string {
  return html
    .replaceAll(session.uid, '{uid}')
    .replaceAll(escapeHtml(session.csrf), '{csrf}')
    .replaceAll(escapeHtml(email), '{email}');
}

export interface AuditRow {
  readonly id: string;
  readonly event: string;
  readonly user_id: string | null;
  readonly client_id: string | null;
  readonly address_hash: string | null;
  readonly detail: Record<string, unknown>;
}

const auditSelect = `SELECT id::text, event, user_id::text, client_id, address_hash, detail
  FROM auth.audit_events`;
// By the table's id: the rows carry it as text, which would sort 10 before 9.
const oldestFirst = 'ORDER BY audit_events.id';

/** Every row of auth.audit_events, oldest first, read as the runtime role. */
export function auditRows(server: AuthServer): Promise<AuditRow[]> {
  return queryAudit(server, `${auditSelect} ${oldestFirst}`);
}

/** The audit rows of one user, oldest first. */
export function auditRowsOf(server: AuthServer, userId: string): Promise<AuditRow[]> {
  return queryAudit(server, `${auditSelect} WHERE user_id = $1 ${oldestFirst}`, [userId]);
}

function queryAudit(server: AuthServer, sql: string, values: unknown[] = []) {
  return withAuthPool(server, async (pool) => (await pool.query<AuditRow>(sql, values)).rows);
}

/** The value of `auth_audit_events_total{event}` on /metrics. */
export function auditCounter(server: AuthServer, event: string): Promise<number> {
  return counterValue(server, 'auth_audit_events_total', 'event', event);
}

/** The value on /metrics of the series of counter `name` whose `label` is `value`. */
export async function counterValue(
  server: AuthServer,
  name: string,
  label: string,
  value: string,
): Promise<number> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  const series = `${label}="${value}"`;
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(series));
  if (line === undefined) throw new Error(`no ${name}{${series}} on /metrics:\n${text}`);

  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Collects the app's log lines; pass `destination` as startAuthServer's logDestination. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly destination = { write: (line: string) => this.lines.push(line) };

  /** The lines parsed as JSON objects. */
  entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
