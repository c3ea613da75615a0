import { createPool, poolDependency } from '@footfall/db';
import { createService, type ServiceApp, type ServiceOptions } from '@footfall/service-kit';
import type { Config } from './config.ts';

export const serviceName = 'customer';

/**
 * Builds the customer app. Owns customers, stores, routers and their public keys, and the admin
 * audit log; the admin API lives here.
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
