/**
 * Vitest global setup: one PostgreSQL server for the whole test run. Uses TEST_DATABASE_URL (an
 * admin URL) when it is set, and otherwise starts an embedded server in a temporary directory,
 * which teardown stops and deletes; that one is the platform's own, so its maintenance databases
 * are closed once, as `pnpm start` closes its server's. Either way, it chooses the platform's role
 * passwords once (random for the embedded server, derived from the URL for a shared one) and
 * hands both to test files through `inject('footfallPostgres')`. As the run's entry point, it
 * reads process.env.
 */
import { closeMaintenanceDatabases } from '@footfall/db';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres-server.ts';
import './provided-context.ts';
import { deriveRolePasswords, generateRolePasswords } from './test-role-passwords.ts';
import { withClient } from './with-client.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const externalUrl = process.env.TEST_DATABASE_URL;

  if (externalUrl !== undefined && externalUrl !== '') {
    say(
      `using TEST_DATABASE_URL (${describeServer(externalUrl)}); its footfall_* roles get ` +
        'passwords derived from that URL, the same for every run against it',
    );
    const passwords = deriveRolePasswords(externalUrl);
    project.provide('footfallPostgres', { adminUrl: externalUrl, passwords, source: 'external' });

    return async () => {};
  }

  const passwords = generateRolePasswords();
  const server = await startEmbeddedPostgres(process.env);
  say(`started embedded PostgreSQL on 127.0.0.1:${server.port}, data in ${server.directory}`);
  await withClient(server.adminUrl, closeMaintenanceDatabases).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  project.provide('footfallPostgres', { adminUrl: server.adminUrl, passwords, source: 'embedded' });

  return async () => {
    await server.stop();
    say('stopped embedded PostgreSQL and removed its data');
  };
}

// Host and port only: the URL's credentials stay out of the output.
function describeServer(url: string): string {
  const parsed = new URL(url);

  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

function say(message: string): void {
  process.stdout.write(`[footfall test postgres] ${message}\n`);
}
