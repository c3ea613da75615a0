import { buildPlatformApp } from '@footfall/platform-app';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
import type { FindAccount } from 'oidc-provider';
import { describeClients } from './clients.ts';
import type { Config } from './config.ts';
import type { Pool } from './database-pool.ts';
import { authErrors } from './errors.ts';
import { scheduleExpiredStateCleanup } from './expired-state-cleanup.ts';
import { createPostgresAdapter } from './oidc-adapter.ts';
import { interactionRoute } from './oidc-configuration.ts';
import { oidcRoutes } from './oidc-routes.ts';
import { OidcServer } from './oidc-server.ts';
import { ensureSigningKey } from './signing-keys.ts';

export const serviceName = 'auth';

export interface AuthAppOptions extends Pick<ServiceOptions, 'logDestination'> {
  /**
   * Resolves a signed-in person's account for the provider. Sign-in is not built yet, so by
   * default no account exists; this is where the account store will plug in.
   */
  readonly findAccount?: FindAccount;
}

/**
 * Builds the auth app: the OAuth 2 / OpenID authorization server (oidc-provider, mounted at the
 * issuer's path) beside the kit's health, readiness and metrics routes.
 */
export async function buildApp(config: Config, options: AuthAppOptions = {}): Promise<ServiceApp> {
  const { app, pools } = await buildPlatformApp({
    name: serviceName,
    config,
    databases: { database: config.DATABASE_URL },
    ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }),
  });
  const database = pools.database;

  await mountOidcServer(app, config, database, options.findAccount);
  registerInteractionRoute(app);
  scheduleHousekeeping(app, config, database);
  return app;
}

async function mountOidcServer(
  app: ServiceApp,
  config: Config,
  database: Pool,
  findAccount: FindAccount | undefined,
) {
  const oidc = new OidcServer(
    config.AUTH_ISSUER,
    {
      adapter: createPostgresAdapter(database),
      clients: describeClients({
        secrets: config.AUTH_CLIENT_SECRETS,
        dashboardRedirectUris: config.AUTH_DASHBOARD_REDIRECT_URIS,
      }),
      cookieKeys: config.AUTH_COOKIE_KEYS,
      ...(findAccount === undefined ? {} : { findAccount }),
    },
    database,
    app.log,
  );

  await ensureSigningKey(database);
  await oidc.refreshKeys();
  oidcServers.set(app, oidc);

  await app.register(oidcRoutes, { mountPath: new URL(config.AUTH_ISSUER).pathname, oidc });
}

function registerInteractionRoute(app: ServiceApp) {
  app.get(interactionRoute, async () => {
    throw authErrors.create('AUTH_LOGIN_NOT_AVAILABLE');
  });
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

/** The authorization server of an app buildApp made; `refreshKeys()` picks up a rotation at once. */
export function oidcServerOf(app: ServiceApp): OidcServer {
  const server = oidcServers.get(app);
  if (server === undefined) throw new TypeError('not an auth app built by buildApp');

  return server;
}
