import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { choosePassword, cliRedirect, discoverPublicClient, PageBrowser } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { openSignIn, submitSignIn } from './sign-in-session.ts';
import { createTestUser } from './test-users.ts';
import { auditEventsOf, openLink, providerRecordsOf, uniqueEmail } from './user-api-calls.ts';

const script = resolve(import.meta.dirname, '../src/manage-admins.ts');
const password = 'operator chose this passphrase';

interface Printed {
  readonly ok: boolean;
  readonly error?: string;
  readonly user?: { id: string; email: string; role: string; disabled: boolean };
  readonly invitation?: { url: string; expiresAt: string };
  readonly passwordReset?: { url: string; expiresAt: string };
}

let server: AuthServer;

beforeAll(async () => {
  server = await startAuthServer();
});

afterAll(async () => {
  await server?.close();
});

/** Runs the documented command against the test server's database, as an operator would. */
function manageAdmins(args: readonly string[], env: Record<string, string> = {}) {
  const environment = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: server.databases.services.auth.runtimeUrl,
    AUTH_ISSUER: server.issuer,
    ...env,
  };

  return new Promise<{ code: number; stdout: string; stderr: string; printed: Printed }>((done) => {
    execFile(process.execPath, [script, ...args], { env: environment }, (error, stdout, stderr) => {
      const code = error === null ? 0 : Number(error.code ?? 1);
      done({ code, stdout, stderr, printed: JSON.parse(stdout) as Printed });
    });
  });
}

async function signIn(credentials: { email: string; password: string }) {
  const cli = await discoverPublicClient(server, 'footfall-cli');
  const request = { configuration: cli, redirectUri: cliRedirect, scope: 'openid offline_access' };

  return exchangeCode(cli, await runCodeFlow(server, request, credentials));
}

async function createAdmin() {
  const email = uniqueEmail('operator-made');
  const { printed } = await manageAdmins(['create', '--email', email]);
  if (printed.user === undefined || printed.invitation === undefined) {
    throw new Error(`create failed: ${JSON.stringify(printed)}`);
  }

  await choosePassword(printed.invitation.url, password);
  return { ...printed.user, password };
}

describe('the manage-admins command', () => {
  it('creates a platform admin and prints an invitation link, never a password', async () => {
    const email = uniqueEmail('new-admin');

    const { code, stdout, printed } = await manageAdmins(['create', '--email', email]);

    expect(code).toBe(0);
    expect(printed).toMatchObject({ ok: true, user: { role: 'platform-admin', disabled: false } });
    expect(printed.invitation?.url).toMatch(new RegExp(`^${server.url}/password/[\\w-]{43}$`));
    expect(stdout).not.toMatch(/password"|argon2/i);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('logs its audit events on stderr as the auth service, with its SERVICE_VERSION', async () => {
    const email = uniqueEmail('logged-admin');

    const { stderr } = await manageAdmins(['create', '--email', email], {
      SERVICE_VERSION: '9.8.7',
    });
    const lines = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);

    expect(lines).toEqual([
      expect.objectContaining({
        service: 'auth',
        version: '9.8.7',
        msg: 'audit event',
        audit: expect.objectContaining({ event: 'user_created' }),
      }),
    ]);
  });

  it('gives a link on which the admin chooses a password and signs in as platform-admin', async () => {
    const admin = await createAdmin();

    const tokens = await signIn(admin);

    expect(tokens.claims()).toMatchObject({ sub: admin.id, role: 'platform-admin' });
    expect(tokens.claims()?.customer_id).toBeUndefined();
    const events = await auditEventsOf(server, admin.id);
    expect(
      events.filter(
        (entry) => entry.event.startsWith('user_') || entry.event.startsWith('password_'),
      ),
    ).toEqual([
      { event: 'user_created', detail: { role: 'platform-admin' } },
      { event: 'password_set', detail: { via: 'invitation' } },
    ]);
  });

  it('prints a reset link that sets a new password and ends the old sessions', async () => {
    const admin = await createAdmin();
    const before = await signIn(admin);

    const { printed } = await manageAdmins(['reset', '--email', admin.email]);
    await choosePassword(printed.passwordReset?.url ?? '', 'a brand new passphrase');

    expect(printed.ok).toBe(true);
    expect(before.refresh_token).toEqual(expect.any(String));
    expect(await providerRecordsOf(server, admin.id)).toBe(0);
  });

  it('prints a new invitation that voids the previous one', async () => {
    const email = uniqueEmail('reinvited');
    const first = await manageAdmins(['create', '--email', email]);

    const second = await manageAdmins(['invite', '--email', email]);

    const firstLink = await openLink(new PageBrowser(), first.printed.invitation?.url ?? '');
    const secondUse = await choosePassword(second.printed.invitation?.url ?? '', password);
    expect(firstLink.status).toBe(400);
    expect(firstLink.html).toContain('AUTH_LINK_INVALID');
    expect(secondUse.status).toBe(200);
  });

  it('disables an admin: every session revoked, no more sign-in, no more links', async () => {
    const admin = await createAdmin();
    await signIn(admin);

    const { code, printed } = await manageAdmins(['disable', '--email', admin.email]);
    const reset = await manageAdmins(['reset', '--email', admin.email]);

    expect(code).toBe(0);
    expect(printed.user).toMatchObject({ id: admin.id, disabled: true });
    expect(await providerRecordsOf(server, admin.id)).toBe(0);
    expect((await submitSignIn(await openSignIn(server), admin)).status).toBe(401);
    expect(reset.code).toBe(1);
    expect(reset.printed).toEqual({ ok: false, error: 'The user is disabled' });
  });

  it('reaches platform admins only: a customer user’s email is unknown to it', async () => {
    const person = await createTestUser(server, { role: 'customer-user' });

    for (const action of ['invite', 'reset', 'disable']) {
      const { code, printed } = await manageAdmins([action, '--email', person.email]);
      expect({ action, code, printed }).toEqual({
        action,
        code: 1,
        printed: { ok: false, error: 'no platform admin has this email' },
      });
    }
    expect(await auditEventsOf(server, person.id)).toEqual([]);
  });

  it('refuses an email that is taken, whatever the role, and creates nothing', async () => {
    const person = await createTestUser(server, { role: 'customer-user' });

    const { code, printed } = await manageAdmins(['create', '--email', person.email]);

    expect(code).toBe(1);
    expect(printed.error).toBe('a user with this email already exists');
  });

  it.each([
    ['no action', ['--email', 'a@example.test']],
    ['an unknown action', ['promote', '--email', 'a@example.test']],
    ['no email', ['create']],
    ['an invalid email', ['create', '--email', 'not-an-email']],
  ])('prints the usage and exits 1 for %s', async (_case, args) => {
    const { code, printed } = await manageAdmins(args);

    expect(code).toBe(1);
    expect(printed.error).toMatch(/^usage: manage-admins <create\|invite\|reset\|disable>/);
  });

  it('names an invalid variable, as the service does at start-up, and exits 1', async () => {
    const { code, printed } = await manageAdmins(['create', '--email', uniqueEmail('x')], {
      AUTH_INVITATION_TTL_SECONDS: '1',
    });

    expect(code).toBe(1);
    expect(printed.error).toMatch(/^invalid configuration:\n {2}AUTH_INVITATION_TTL_SECONDS: /);
  });

  it('needs an origin for its links, and says which variables give one', async () => {
    const { code, printed } = await manageAdmins(['create', '--email', uniqueEmail('x')], {
      AUTH_ISSUER: '',
    });

    expect(code).toBe(1);
    expect(printed.error).toMatch(/AUTH_PUBLIC_URL or AUTH_ISSUER/);
  });
});
