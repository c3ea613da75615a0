/**
 * Creates or converges every Footfall role and database; for the Helm install hook and for
 * operators. Run: `node libs/db/src/bootstrap-cli.ts`, with DATABASE_ADMIN_URL and one
 * `<ROLE>_PASSWORD` variable per role in the environment (see docs/database.md).
 */
// The light entry points: the package's index would load fastify, Sentry and prom-client too.
import { baseConfigShape } from '@footfall/service-kit/base-config';
import { createLogger } from '@footfall/service-kit/logger';
import { bootstrapDatabases } from './bootstrap.ts';
import { readBootstrapEnvironment } from './bootstrap-environment.ts';
import { isDbError } from './db-error.ts';

// The services' logger, so the lines are redacted and shaped like every other Footfall line.
const logger = createLogger({
  service: 'db-bootstrap',
  version: baseConfigShape.SERVICE_VERSION.parse(process.env.SERVICE_VERSION),
  level: 'info',
});

try {
  const environment = readBootstrapEnvironment(process.env);
  await bootstrapDatabases({ ...environment, logger });
} catch (error) {
  const code = isDbError(error) ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  logger.error({ code, error: message }, 'bootstrap failed');
  process.exitCode = 1;
}
