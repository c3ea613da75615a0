import { buildPlatformApp } from '@footfall/platform-app';
import type { ServiceApp, ServiceOptions } from '@footfall/service-kit';
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
  const { app } = await buildPlatformApp({
    name: serviceName,
    config,
    databases: { database: config.DATABASE_URL },
    ...options,
  });

  return app;
}
