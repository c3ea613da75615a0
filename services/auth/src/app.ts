import { createHmac } from 'node:crypto';
import { buildPlatformApp } from '@footfall/platform-app';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
import { AccountAdministration, linkSettingsOf } from './account-administration.ts';
import { AccountState } from './account-state.ts';
import { accessTokenClaims, accountFinder } from './accounts.ts';
import { AuditLog } from './audit-log.ts';
import { cliRedirectUris, describeClients } from './clients.ts';
import type { Config } from './config.ts';
import { CsrfTokens } from './csrf-tokens.ts';
import type { Pool } from './database-pool.ts';
import { scheduleExpiredStateCleanup } from './expired-state-cleanup.ts';
import type { PageSecurity } from './html-pages.ts';
import { interactionRoutes } from './interaction-routes.ts';
import { LinkMailer } from './link-mailer.ts';
import { mailSettingsOf } from './mail-config.ts';
import { createPostgresAdapter } from './oidc-adapter.ts';
import { oidcRoutes } from './oidc-routes.ts';
import { OidcServer } from './oidc-server.ts';
import { OneTimeTokens } from './one-time-tokens.ts';
import { pageAssets } from './page-assets.ts';
import { PasswordHasher } from './password-hashing.ts';
import { passwordPages } from './password-pages.ts';
import { auditProviderEvents } from './provider-audit.ts';
import { serviceName } from './service-name.ts';
import { SignIn } from './sign-in.ts';
import { SignInThrottle } from './sign-in-throttle.ts';
import { ensureSigningKey } from './signing-keys.ts';
import { userApi } from './user-api.ts';
import { UserStore } from './users.ts';

export type AuthAppOptions = Pick<ServiceOptions, 'logDestination'>;

/** What the auth app is made of, shared by its routes. */
interface AuthParts {
  readonly database: Pool;
  readonly users: UserStore;
  readonly hasher: PasswordHasher;
  readonly audit: AuditLog;
  readonly accountState: AccountState;
  readonly tokens: OneTimeTokens;
  readonly csrf: CsrfTokens;
  readonly security: PageSecurity;
}

/**
 * Builds the auth app: the OAuth 2 / OpenID authorization server (oidc-provider, mounted at the
 * issuer's path), its sign-in and consent pages, the password pages that invitation and reset
 * links open, and the internal user API, beside the kit's health, readiness and metrics routes.
 */
export async function buildApp(config: Config, options: AuthAppOptions = {}): Promise<ServiceApp> {
  const { app, pools } = await buildPlatformApp({
    name: serviceName,
    config,
    databases: { database: config.DATABASE_URL },
    ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }),
  });
  const parts = assembleParts(app, config, pools.database);
  await parts.hasher.prepare();

  const oidc = await mountOidcServer(app, config, parts);
  await app.register(pageAssets);
  await app.register(async (pages) => {
    acceptForms(pages);
    await pages.register(interactionRoutes, { ...parts, oidc, signIn: signInOf(config, parts) });
    await pages.register(passwordPages, parts);
  });
  await app.register(userApi, {
    oidc,
    customerUsers: customerUsersOf(config, parts),
    mailer: mailerOf(app, config),
  });
  scheduleHousekeeping(app, config, parts.database);
  return app;
}

function assembleParts(app: ServiceApp, config: Config, database: Pool): AuthParts {
  const cookieKey = config.AUTH_COOKIE_KEYS[0] ?? '';

  return {
    database,
    users: new UserStore(database),
    hasher: new PasswordHasher({
      memoryKib: config.AUTH_ARGON2_MEMORY_KIB,
      iterations: config.AUTH_ARGON2_ITERATIONS,
      parallelism: config.AUTH_ARGON2_PARALLELISM,
    }),
    audit: new AuditLog(database, app.log, app.metrics),
    accountState: new AccountState(database),
    tokens: new OneTimeTokens(database),
    csrf: new CsrfTokens(deriveKey(cookieKey, 'csrf')),
    security: { formTargets: formTargets(config) },
  };
}

function signInOf(config: Config, parts: AuthParts): SignIn {
  const throttle = new SignInThrottle(
    parts.database,
    {
      accountThreshold: config.AUTH_LOCKOUT_ACCOUNT_THRESHOLD,
      addressThreshold: config.AUTH_LOCKOUT_ADDRESS_THRESHOLD,
      baseLockoutSeconds: config.AUTH_LOCKOUT_BASE_SECONDS,
      maxLockoutSeconds: config.AUTH_LOCKOUT_MAX_SECONDS,
    },
    deriveKey(config.AUTH_COOKIE_KEYS[0] ?? '', 'sign-in-throttle'),
  );

  return new SignIn(parts.users, parts.hasher, throttle, parts.audit);
}

// The user API's reach: customer users, never platform admins (threat T2).
function customerUsersOf(config: Config, parts: AuthParts): AccountAdministration {
  return new AccountAdministration({
    role: 'customer-user',
    pool: parts.database,
    accountState: parts.accountState,
    audit: parts.audit,
    links: linkSettingsOf(config),
  });
}

// Without an SMTP server the user API hands links back to its caller.
function mailerOf(app: ServiceApp, config: Config): LinkMailer | undefined {
  const settings = mailSettingsOf(config);
  if (settings === undefined) return undefined;

  const mailer = new LinkMailer(settings);
  app.addHook('onClose', async () => mailer.close());
  return mailer;
}

// One configured secret, several independent keys: a key never serves two purposes.
function deriveKey(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(`footfall-auth:${purpose}`).digest('base64url');
}

// After sign-in the provider redirects the form's POST to the client; browsers check those
// redirects against form-action too, so the clients' redirect origins are listed.
function formTargets(config: Config): string[] {
  const origins = config.AUTH_DASHBOARD_REDIRECT_URIS.map((uri) => new URL(uri).origin);
  // The CLI's loopback redirect takes any port (RFC 8252), which CSP writes as `:*`.
  const cli = cliRedirectUris.map((uri) => `${new URL(uri).origin}:*`);

  return [...new Set([...origins, ...cli])];
}

/** A sign-in or password form is a few hundred bytes; nothing bigger is read on the pages. */
const pageBodyLimit = 16 * 1024;

// The pages post ordinary HTML forms; nothing else under them reads urlencoded bodies. The limit
// is set on every page route rather than on the parser, so a refusal names it (a parser's own
// limit is not exposed), and the route's limit is what the parser reads up to.
function acceptForms(pages: ServiceApp) {
  pages.addHook('onRoute', (route) => {
    route.bodyLimit ??= pageBodyLimit;
  });
  pages.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
}

async function mountOidcServer(app: ServiceApp, config: Config, parts: AuthParts) {
  const clients = describeClients({
    secrets: config.AUTH_CLIENT_SECRETS,
    dashboardRedirectUris: config.AUTH_DASHBOARD_REDIRECT_URIS,
  });
  const oidc = new OidcServer(
    config.AUTH_ISSUER,
    {
      adapter: createPostgresAdapter(parts.database),
      clients,
      cookieKeys: config.AUTH_COOKIE_KEYS,
      findAccount: accountFinder(parts.users),
      accessTokenClaims: accessTokenClaims(parts.users),
    },
    parts.database,
    app.log,
    (provider) => auditProviderEvents(provider, parts.audit),
  );

  await ensureSigningKey(parts.database);
  await oidc.refreshKeys();
  oidcServers.set(app, oidc);

  await app.register(oidcRoutes, {
    mountPath: new URL(config.AUTH_ISSUER).pathname,
    oidc,
    security: parts.security,
    clientIds: clients.map((client) => client.client_id),
    tokenRateLimits: {
      perAddress: config.AUTH_TOKEN_RATE_LIMIT_PER_ADDRESS,
      perClient: config.AUTH_TOKEN_RATE_LIMIT_PER_CLIENT,
      windowSeconds: config.AUTH_TOKEN_RATE_LIMIT_WINDOW_SECONDS,
    },
  });
  return oidc;
}

function scheduleHousekeeping(app: ServiceApp, config: Config, database: Pool) {
  const stopCleanup = scheduleExpiredStateCleanup(
    database,
    config.AUTH_CLEANUP_INTERVAL_MS,
    app.log,
  );
  const keyTimer = setInterval(() => {
    oidcServerOf(app)
      .refreshKeys()
      .catch((error: unknown) => {
        app.log.warn({ err: error }, 'signing key refresh failed');
      });
  }, config.AUTH_KEY_REFRESH_INTERVAL_MS);
  keyTimer.unref();

  app.addHook('onClose', async () => {
    stopCleanup();
    clearInterval(keyTimer);
  });
}

const oidcServers = new WeakMap<ServiceApp, OidcServer>();

/** The authorization server of a buildApp app; `refreshKeys()` picks up a rotation at once. */
export function oidcServerOf(app: ServiceApp): OidcServer {
  const server = oidcServers.get(app);
  if (server === undefined) throw new TypeError('not an auth app built by buildApp');

  return server;
}
