/**
 * Applies this service's migrations as its database owner: `node src/migrate.ts` with
 * DATABASE_OWNER_URL set. Prints one JSON line; exits 1 on failure.
 */
import { resolve } from 'node:path';
import { runMigrateCli } from '@footfall/db';

process.exitCode = await runMigrateCli({
  service: 'auth',
  directory: resolve(import.meta.dirname, '../migrations'),
  env: process.env,
});
