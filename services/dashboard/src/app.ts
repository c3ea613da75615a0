import { buildPlatformApp } from '@footfall/platform-app';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
import type { Config } from './config.ts';

export const serviceName = 'dashboard';

/**
 * Builds the dashboard app: the backend-for-frontend of the customer SPA. It keeps its own
 * sessions in its own database and reads footfall from the serving database, read-only.
 */
export async function buildApp(
  config: Config,
  options: Pick<ServiceOptions, 'logDestination'> = {},
): Promise<ServiceApp> {
  const { app } = await buildPlatformApp({
    name: serviceName,
    config,
    databases: {
      database: config.DATABASE_URL,
      'serving-database': config.SERVING_DATABASE_URL,
    },
    ...options,
  });

  return app;
}
