import { createPool, poolDependency } from '@footfall/db';
import {
  createTransport,
  type MessagingConfig,
  MessagingMetrics,
  type Transport,
} from '@footfall/messaging';
import {
  addDependency,
  type BaseConfig,
  createService,
  type ServiceApp,
  type ServiceOptions,
} from '@footfall/service-kit';
import type pg from 'pg';

export interface PlatformAppOptions<Databases extends string> {
  readonly name: string;
  readonly config: BaseConfig & MessagingConfig & { readonly DATABASE_POOL_MAX: number };
  /** Each database the service connects to, by the name /readyz reports it under. */
  readonly databases: Readonly<Record<Databases, string>>;
  readonly logDestination?: ServiceOptions['logDestination'];
}

export interface PlatformApp<Databases extends string> {
  readonly app: ServiceApp;
  readonly pools: Readonly<Record<Databases, pg.Pool>>;
  readonly transport: Transport;
}

/**
 * What every Footfall service is made of: the kit's app, a pool per database (each probed by
 * /readyz and closed at shutdown) and the messaging transport the configuration names (probed
 * by /readyz as `messaging`, closed at shutdown). The service adds its routes, subscriptions
 * and relays to what this returns.
 */
export async function buildPlatformApp<Databases extends string>(
  options: PlatformAppOptions<Databases>,
): Promise<PlatformApp<Databases>> {
  // Pools connect on first use, after the app exists, so an idle connection's error can go to
  // the app's log.
  const pools = openPools(options, (database, error) =>
    app.log.warn({ err: error, database }, 'idle database connection failed'),
  );
  const dependencies = Object.fromEntries(
    Object.entries<pg.Pool>(pools).map(([name, pool]) => [name, poolDependency(pool)]),
  );

  const app = await createService({
    name: options.name,
    config: options.config,
    dependencies,
    ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }),
  });

  const transport = await createTransport(options.config, {
    metrics: new MessagingMetrics(app.metrics),
    logger: app.log,
  });
  addDependency(app, 'messaging', {
    check: () => transport.check(),
    close: () => transport.close(),
  });

  return { app, pools, transport };
}

function openPools<Databases extends string>(
  options: PlatformAppOptions<Databases>,
  onIdleError: (database: string, error: Error) => void,
) {
  const entries = Object.entries<string>(options.databases).map(([name, connectionString]) => [
    name,
    createPool({
      connectionString,
      applicationName: name === 'database' ? options.name : `${options.name}:${name}`,
      max: options.config.DATABASE_POOL_MAX,
      onIdleError: (error) => onIdleError(name, error),
    }),
  ]);

  return Object.fromEntries(entries) as Record<Databases, pg.Pool>;
}
