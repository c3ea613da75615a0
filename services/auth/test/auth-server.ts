/**
 * Starts the real auth app for tests, on a free loopback port, against fresh test databases:
 * what the auth service's own tests and libs/auth-client's tests run their OAuth flows against.
 * Runs only inside vitest (the databases come from the run's global PostgreSQL).
 */
import { type ServiceClientId, serviceClientIds } from '@footfall/contracts';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
import {
  authServiceEnvironment,
  createTestDatabases,
  findFreePort,
  generateClientSecrets,
  type TestDatabases,
} from '@footfall/testing';
import { buildApp } from '../src/app.ts';
import { type Config, configSchema } from '../src/config.ts';

export interface AuthServerOptions {
  /** Reuse these databases (a second replica on the same state); by default fresh ones. */
  readonly databases?: TestDatabases;
  /** Reuse these client secrets (a second replica must share them); by default random ones. */
  readonly clientSecrets?: Readonly<Record<ServiceClientId, string>>;
  /** Where log lines go. @default discarded */
  readonly logDestination?: ServiceOptions['logDestination'];
  /** Extra environment variables, e.g. AUTH_DASHBOARD_REDIRECT_URIS. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface AuthServer {
  /** The issuer identifier; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** One confidential client per service, with the secret it authenticates with. */
  readonly clients: { readonly id: ServiceClientId; readonly secret: string }[];
  /** The app's own origin, e.g. for /readyz. */
  readonly url: string;
  readonly databases: TestDatabases;
  readonly app: ServiceApp;
  readonly config: Config;
  /** Stops the app, then drops the databases if this call created them. */
  close(): Promise<void>;
}

const discard = { write: () => {} };

/**
 * Starts the auth service on 127.0.0.1. Register `afterAll(server.close)`.
 *
 * @example
 * const server = await startAuthServer();
 * afterAll(server.close);
 * const config = await client.discovery(new URL(server.issuer), 'customer', secret);
 */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const databases = options.databases ?? (await createTestDatabases());
  const ownsDatabases = options.databases === undefined;
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const secrets = options.clientSecrets ?? generateClientSecrets();
  const config = configSchema.parse({
    ...authServiceEnvironment({ databases, port, clientSecrets: secrets }),
    LOG_LEVEL: 'info',
    ...options.env,
  });

  const app = await buildApp(config, { logDestination: options.logDestination ?? discard });
  const close = async () => {
    await app.close();
    if (ownsDatabases) await databases.drop();
  };

  await app.listen({ host: '127.0.0.1', port }).catch(async (error: unknown) => {
    await close();
    throw error;
  });

  const clients = serviceClientIds.map((id) => ({ id, secret: secrets[id] }));
  return { issuer: config.AUTH_ISSUER, clients, url, databases, app, config, close };
}
