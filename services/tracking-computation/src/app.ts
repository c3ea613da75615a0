import { createPool, poolDependency } from '@footfall/db';
import { createService, type ServiceApp, type ServiceOptions } from '@footfall/service-kit';
import type { Config } from './config.ts';

export const serviceName = 'tracking-computation';

/**
 * Builds the tracking-computation app. Turns observation batches into visits and hourly and daily
 * footfall rollups in the serving database, which the dashboard reads.
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
