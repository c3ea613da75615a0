import { buildPlatformApp } from '@footfall/platform-app';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
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
  const { app } = await buildPlatformApp({
    name: serviceName,
    config,
    databases: { database: config.DATABASE_URL },
    ...options,
  });

  return app;
}
