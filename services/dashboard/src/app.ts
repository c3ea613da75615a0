import { createPool, poolDependency } from '@footfall/db';
import { createTransport, MessagingMetrics } from '@footfall/messaging';
import { createService, type ServiceApp, type ServiceOptions } from '@footfall/service-kit';
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
  const database = createPool({
    connectionString: config.DATABASE_URL,
    applicationName: serviceName,
    max: config.DATABASE_POOL_MAX,
  });
  const serving = createPool({
    connectionString: config.SERVING_DATABASE_URL,
    applicationName: `${serviceName}-reader`,
    max: config.DATABASE_POOL_MAX,
  });

  const app = await createService({
    name: serviceName,
    config,
    ...options,
    dependencies: {
      database: poolDependency(database),
      'serving-database': poolDependency(serving),
    },
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
