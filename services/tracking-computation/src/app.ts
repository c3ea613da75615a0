import { createPool, poolDependency } from '@footfall/db';
import { createTransport, MessagingMetrics } from '@footfall/messaging';
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

  const app = await createService({
    name: serviceName,
    config,
    ...options,
    dependencies: { database: poolDependency(database) },
  });

  // The transport the configuration names; no subscriptions yet, so this proves the connection
  // at start-up and closes it at shutdown.
  const transport = await createTransport(config, {
    metrics: new MessagingMetrics(app.metrics),
    logger: app.log,
  });
  app.addHook('onClose', () => transport.close());
  return app;
}
