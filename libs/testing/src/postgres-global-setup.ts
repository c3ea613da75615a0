/**
 * Vitest global setup: one PostgreSQL server for the whole test run. Uses TEST_DATABASE_URL (an
 * admin URL) when it is set, and otherwise starts an embedded server in a temporary directory,
 * which teardown stops and deletes. Either way, it generates the platform's role passwords once
 * and hands both to test files through `inject('footfallPostgres')`.
 */
import { randomBytes } from 'node:crypto';
import { listRoles } from '@footfall/db';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres-server.ts';
import './provided-context.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const passwords = generateRolePasswords();
  const externalUrl = process.env.TEST_DATABASE_URL;

  if (externalUrl !== undefined && externalUrl !== '') {
    say(
      `using TEST_DATABASE_URL (${describeServer(externalUrl)}); ` +
        'its footfall_* roles get new passwords',
    );
    project.provide('footfallPostgres', { adminUrl: externalUrl, passwords, source: 'external' });

    return async () => {};
  }

  const server = await startEmbeddedPostgres(process.env);
  say(`started embedded PostgreSQL on 127.0.0.1:${server.port}, data in ${server.directory}`);
  project.provide('footfallPostgres', { adminUrl: server.adminUrl, passwords, source: 'embedded' });

  return async () => {
    await server.stop();
    say('stopped embedded PostgreSQL and removed its data');
  };
}

function generateRolePasswords(): Record<string, string> {
  return Object.fromEntries(
    listRoles().map((role) => [role, randomBytes(24).toString('base64url')]),
  );
}

// Host and port only: the URL's credentials stay out of the output.
function describeServer(url: string): string {
  const parsed = new URL(url);

  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

function say(message: string): void {
  process.stdout.write(`[footfall test postgres] ${message}\n`);
}
