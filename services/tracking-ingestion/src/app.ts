import { buildPlatformApp } from '@footfall/platform-app';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
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
  const { app } = await buildPlatformApp({
    name: serviceName,
    config,
    databases: { database: config.DATABASE_URL },
    ...options,
  });

  return app;
}
