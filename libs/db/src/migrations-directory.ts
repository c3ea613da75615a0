import { resolve } from 'node:path';
import type { ServiceName } from './role-model.ts';

const repositoryRoot = resolve(import.meta.dirname, '../../..');

/**
 * Where a service's SQL migrations live in this repository: `services/<name>/migrations`, beside
 * the `src/migrate.ts` that applies them. For tools that migrate every service at once, such as
 * `pnpm start` and the test helpers.
 */
export function migrationsDirectory(service: ServiceName): string {
  return resolve(repositoryRoot, 'services', service, 'migrations');
}
