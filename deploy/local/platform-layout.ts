import { join } from 'node:path';
import { serviceClientIds } from '@footfall/contracts';
import { buildConnectionUrl, databaseFor, type ServiceName } from '@footfall/db';
import type { ServiceSpec } from './service-processes.ts';

const repositoryRoot = join(import.meta.dirname, '../..');

/** Local ports are the base port plus this offset; docs/configuration.md lists the defaults. */
const portOffsets: Readonly<Record<ServiceName, number>> = {
  dashboard: 0,
  auth: 1,
  customer: 2,
  'tracking-ingestion': 3,
  'tracking-computation': 4,
};

export interface LayoutSettings {
  readonly basePort: number;
  readonly postgres: { readonly host: string; readonly port: number };
  readonly passwords: Readonly<Record<string, string>>;
  readonly logLevel: string;
  /** The messaging variables of each service. */
  readonly messagingEnvironment: (service: ServiceName) => Record<string, string>;
  /** The auth service's OAuth client secrets, keyed by client id. */
  readonly clientSecrets: Readonly<Record<string, string>>;
  readonly authCookieKey: string;
}

/** How each service is started locally: its port, its entry point, its environment. */
export function describeServices(settings: LayoutSettings): ServiceSpec[] {
  return (Object.keys(portOffsets) as ServiceName[]).map((service) => {
    const port = settings.basePort + portOffsets[service];

    return {
      name: service,
      entry: join(repositoryRoot, 'services', service, 'src/main.ts'),
      url: `http://127.0.0.1:${port}`,
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: settings.logLevel,
        DATABASE_URL: runtimeUrl(service, settings),
        ...(service === 'dashboard' ? { SERVING_DATABASE_URL: servingReaderUrl(settings) } : {}),
        ...(service === 'auth' ? authEnvironment(port, settings) : {}),
        ...settings.messagingEnvironment(service),
      },
    };
  });
}

/** The owner role's URL for a service's database: what migrations run as. */
export function ownerUrl(
  service: ServiceName,
  settings: Pick<LayoutSettings, 'postgres' | 'passwords'>,
): string {
  const database = databaseFor(service);
  return roleUrl(database.database, database.ownerRole, settings);
}

// The issuer lives under /oidc on the auth port; the dashboard's redirect URI on its own port.
function authEnvironment(port: number, settings: LayoutSettings): Record<string, string> {
  const secrets = Object.fromEntries(
    serviceClientIds.map((client) => [client, settings.clientSecrets[client] ?? '']),
  );

  return {
    AUTH_ISSUER: `http://127.0.0.1:${port}/oidc`,
    AUTH_CLIENT_SECRETS: JSON.stringify(secrets),
    AUTH_COOKIE_KEYS: settings.authCookieKey,
    AUTH_DASHBOARD_REDIRECT_URIS: `http://127.0.0.1:${settings.basePort + portOffsets.dashboard}/auth/callback`,
  };
}

/** The runtime role's URL for a service's database: what the running service connects as. */
export function runtimeUrl(
  service: ServiceName,
  settings: Pick<LayoutSettings, 'postgres' | 'passwords'>,
): string {
  const database = databaseFor(service);
  return roleUrl(database.database, database.runtimeRole, settings);
}

function servingReaderUrl(settings: LayoutSettings): string {
  const serving = databaseFor('tracking-computation');
  const reader = serving.readOnlyRoles[0];

  if (reader === undefined) {
    throw new TypeError('the serving database has no read-only role for the dashboard');
  }

  return roleUrl(serving.database, reader, settings);
}

function roleUrl(
  database: string,
  user: string,
  settings: Pick<LayoutSettings, 'postgres' | 'passwords'>,
): string {
  const password = settings.passwords[user];

  if (password === undefined) {
    throw new TypeError(`no password for role ${user}`);
  }

  return buildConnectionUrl({ ...settings.postgres, database, user, password });
}
