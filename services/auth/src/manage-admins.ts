/**
 * `pnpm --filter @footfall/auth manage-admins <create|invite|reset|disable> --email <email>`:
 * the only way to manage platform admins (the user API reaches customer users only). `create`
 * makes an admin without a password and prints an invitation link, `invite` a new invitation,
 * `reset` a password-reset link, `disable` ends every session of the admin and stops sign-in.
 * Needs DATABASE_URL (the runtime role) and, for links, AUTH_PUBLIC_URL or AUTH_ISSUER. Prints
 * one JSON line on stdout (a link, never a password), the audit events' log lines on stderr
 * (with SERVICE_VERSION); exits 1 on failure.
 */
import { parseArgs } from 'node:util';
import { createPool } from '@footfall/db';
import { ConfigError, loadConfig } from '@footfall/service-kit';
import { z } from 'zod';
import type { AccountAdministration, PasswordLink } from './account-administration.ts';
import { linkSettingsOf, returnToCaller } from './account-administration.ts';
import { configSchema } from './config.ts';
import { standaloneAdministration } from './standalone-administration.ts';
import type { User } from './users.ts';

const actions = ['create', 'invite', 'reset', 'disable'] as const;
type Action = (typeof actions)[number];

const { shape } = configSchema;
const environment = z.object({
  DATABASE_URL: shape.DATABASE_URL,
  AUTH_ISSUER: shape.AUTH_ISSUER.optional(),
  AUTH_PUBLIC_URL: shape.AUTH_PUBLIC_URL,
  AUTH_INVITATION_TTL_SECONDS: shape.AUTH_INVITATION_TTL_SECONDS,
  AUTH_PASSWORD_RESET_TTL_SECONDS: shape.AUTH_PASSWORD_RESET_TTL_SECONDS,
  SERVICE_VERSION: shape.SERVICE_VERSION,
});

const usage = `usage: manage-admins <${actions.join('|')}> --email <email>`;

await main();

async function main(): Promise<void> {
  const request = readRequest();
  if (request === undefined) return fail(usage);
  const settings = readEnvironment();
  if (settings === undefined) return;
  const links = linkSettingsOf(settings);
  if (links === undefined && request.action !== 'disable') {
    return fail('links need AUTH_PUBLIC_URL or AUTH_ISSUER, where people reach the auth service');
  }

  const pool = createPool({
    connectionString: settings.DATABASE_URL,
    applicationName: 'auth-manage-admins',
  });
  try {
    const admins = standaloneAdministration(pool, 'platform-admin', {
      links,
      logLines: process.stderr,
      version: settings.SERVICE_VERSION,
    });
    print({ ok: true, action: request.action, ...(await run(admins, request)) });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    await pool.end();
  }
}

async function run(admins: AccountAdministration, request: { action: Action; email: string }) {
  if (request.action === 'create') return create(admins, request.email);

  const user = await admins.findByEmail(request.email);
  if (user === undefined) throw new Error('no platform admin has this email');

  if (request.action === 'invite') {
    return {
      user: present(user),
      invitation: presentLink(await admins.invite(user, returnToCaller)),
    };
  }
  if (request.action === 'reset') {
    const passwordReset = await admins.resetPassword(user, returnToCaller);
    return { user: present(user), passwordReset: presentLink(passwordReset) };
  }
  return { user: present(await admins.disable(user)) };
}

async function create(admins: AccountAdministration, email: string) {
  const created = await admins.createInvited({ email, customerId: null }, returnToCaller);
  if (created === undefined) throw new Error('a user with this email already exists');

  return { user: present(created.user), invitation: presentLink(created.invitation) };
}

function readRequest(): { action: Action; email: string } | undefined {
  const { values, positionals } = parseArgs({
    options: { email: { type: 'string' } },
    allowPositionals: true,
    strict: false,
  });
  const [action, ...rest] = positionals;
  const email = z.email().max(254).safeParse(values.email);
  if (!isAction(action) || rest.length > 0 || !email.success) return undefined;

  return { action, email: email.data };
}

function isAction(value: string | undefined): value is Action {
  return (actions as readonly (string | undefined)[]).includes(value);
}

// The same validation as the service's own start-up; a bad variable is printed, named.
function readEnvironment(): z.output<typeof environment> | undefined {
  try {
    return loadConfig(environment, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(error.message);
    return undefined;
  }
}

function present(user: User) {
  return { id: user.id, email: user.email, role: user.role, disabled: user.disabled };
}

function presentLink(link: PasswordLink) {
  return { url: link.url, expiresAt: link.expiresAt.toISOString() };
}

function print(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function fail(message: string): void {
  print({ ok: false, error: message });
  process.exitCode = 1;
}
