import { createPool, poolDependency } from '@footfall/db';
import { createService, type ServiceApp, type ServiceOptions } from '@footfall/service-kit';
import type { Config } from './config.ts';

export const serviceName = 'auth';

/**
 * Builds the auth app. The OAuth 2 / OpenID authorization server: users, clients, grants, sessions
 * and signing keys.
 */
export async function buildApp(
  config: Config,
  options: Pick<ServiceOptions, 'logDestination'> = {},
): Promise<ServiceApp> {
  const database = createPool({
    connectionString: config.DATABASE_URL,
    applicationName: serviceName,
    max: config.DATABASE_POOL_MAX,
  });

  return createService({
    name: serviceName,
    config,
    ...options,
    dependencies: { database: poolDependency(database) },
  });
}
