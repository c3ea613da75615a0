import { createPool, poolDependency } from '@footfall/db';
import { createService, type ServiceApp, type ServiceOptions } from '@footfall/service-kit';
import type { Config } from './config.ts';

export const serviceName = 'tracking-ingestion';

/**
 * Builds the tracking-ingestion app. Receives signed observation batches from store routers,
 * pseudonymises device addresses on arrival, keeps the raw batches for reingestion and publishes
 * them for computation.
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
