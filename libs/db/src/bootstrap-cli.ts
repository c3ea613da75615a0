/**
 * Creates or converges every Footfall role and database; for the Helm install hook and for
 * operators. Run: `node libs/db/src/bootstrap-cli.ts`, with DATABASE_ADMIN_URL and one
 * `<ROLE>_PASSWORD` variable per role in the environment (see docs/database.md).
 */
import { bootstrapDatabases } from './bootstrap.ts';
import { readBootstrapEnvironment } from './bootstrap-environment.ts';
import { isDbError } from './db-error.ts';

const logger = {
  info(details: object, message: string): void {
    console.log(JSON.stringify({ level: 'info', time: Date.now(), ...details, msg: message }));
  },
};

try {
  const environment = readBootstrapEnvironment(process.env);
  await bootstrapDatabases({ ...environment, logger });
} catch (error) {
  const code = isDbError(error) ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  console.error(JSON.stringify({ level: 'error', msg: 'bootstrap failed', code, error: message }));
  process.exitCode = 1;
}
