import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  listRoles,
  passwordVariableFor,
  readMigrationFiles,
  runMigrateCli,
  serviceDatabases,
} from '@footfall/db';
import {
  createTestDatabases,
  dropSuffixedDatabases,
  queryAs,
  type TestDatabases,
} from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

// Runs an entry point the way a Kubernetes Job would: a fresh Node process, configuration only
// from the environment. Resolves with the exit code and the parsed JSON lines.
async function runEntryPoint(script: string, env: Record<string, string>) {
  const result = await run(process.execPath, [resolve(root, script)], {
    env: { PATH: process.env.PATH ?? '', ...env },
  })
    .then((output) => ({ ...output, code: 0 }))
    .catch((error: { stdout: string; stderr: string; code: number }) => error);
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line !== '');

  return { code: result.code, lines: lines.map((line) => JSON.parse(line)) };
}

describe('services/<name>/src/migrate.ts', () => {
  let databases: TestDatabases | undefined;

  beforeAll(async () => {
    databases = await createTestDatabases({ migrate: false });
  });

  afterAll(async () => {
    await databases?.drop();
  });

  it('applies the service migrations as the owner and prints one JSON line', async () => {
    const ownerUrl = databases?.services.auth.ownerUrl ?? '';

    const { code, lines } = await runEntryPoint('services/auth/src/migrate.ts', {
      DATABASE_OWNER_URL: ownerUrl,
    });

    const names = (await readMigrationFiles(resolve(root, 'services/auth/migrations'))).map(
      (f) => f.name,
    );
    expect(code).toBe(0);
    expect(names.length).toBeGreaterThan(0);
    expect(lines).toEqual([
      expect.objectContaining({ schema: 'auth', applied: names, current: names.at(-1) }),
    ]);
  });

  it('exits 1 naming DATABASE_OWNER_URL when it is missing', async () => {
    const { code, lines } = await runEntryPoint('services/auth/src/migrate.ts', {});

    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({
        code: 'DB_CONFIG_INVALID',
        error: expect.stringContaining('DATABASE_OWNER_URL'),
      }),
    ]);
  });
});

describe('runMigrateCli', () => {
  // A caller that embeds the command (a Helm hook image, a test) gets its line, not the process.
  function captureOutput() {
    const written = { stdout: [] as string[], stderr: [] as string[] };
    const output = {
      stdout: { write: (text: string) => written.stdout.push(text) },
      stderr: { write: (text: string) => written.stderr.push(text) },
    };

    return { written, output };
  }

  it('writes its failure to the output it is given', async () => {
    const { written, output } = captureOutput();

    const code = await runMigrateCli({ service: 'auth', directory: root, env: {}, output });

    expect(code).toBe(1);
    expect(written.stdout).toEqual([]);
    expect(written.stderr).toHaveLength(1);
    expect(JSON.parse(written.stderr[0] ?? '')).toMatchObject({ code: 'DB_CONFIG_INVALID' });
  });

  it('writes its result to the output it is given', async () => {
    const databases = await createTestDatabases({ migrate: false });
    const { written, output } = captureOutput();

    try {
      const code = await runMigrateCli({
        service: 'customer',
        directory: resolve(root, 'services/customer/migrations'),
        env: { DATABASE_OWNER_URL: databases.services.customer.ownerUrl },
        output,
      });

      expect(code).toBe(0);
      expect(written.stderr).toEqual([]);
      expect(written.stdout.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ msg: 'migrations done', schema: 'customer' }),
      ]);
    } finally {
      await databases.drop();
    }
  });
});

describe('libs/db/src/bootstrap-cli.ts', () => {
  const server = inject('footfallPostgres');

  // The command has no suffix option, so it creates the real database names: only on the
  // throwaway embedded server, never on a TEST_DATABASE_URL server someone may be using.
  it.skipIf(server.source !== 'embedded')(
    'bootstraps the platform from the environment and logs no password',
    async () => {
      const passwords = listRoles().map((role) => [
        passwordVariableFor(role),
        server.passwords[role] ?? '',
      ]);
      const env = { DATABASE_ADMIN_URL: server.adminUrl, ...Object.fromEntries(passwords) };

      try {
        const { code, lines } = await runEntryPoint('libs/db/src/bootstrap-cli.ts', env);

        expect(code).toBe(0);
        expect(lines.at(-1)).toMatchObject({ msg: 'bootstrap finished' });
        const output = JSON.stringify(lines);
        for (const [, password] of passwords) {
          expect(output).not.toContain(password);
        }
        const names = serviceDatabases.map((database) => database.database);
        const found = await queryAs(
          server.adminUrl,
          'SELECT datname FROM pg_database WHERE datname = ANY($1)',
          [names],
        );
        expect(found.rowCount).toBe(names.length);
      } finally {
        await dropSuffixedDatabases(server.adminUrl, '');
      }
    },
  );

  it('exits 1 naming each missing variable', async () => {
    const { code, lines } = await runEntryPoint('libs/db/src/bootstrap-cli.ts', {
      FOOTFALL_AUTH_APP_PASSWORD: 'long-enough-password-here',
    });

    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ code: 'DB_CONFIG_INVALID' });
    expect(lines[0].error).toContain('DATABASE_ADMIN_URL');
    expect(lines[0].error).toContain('FOOTFALL_INGESTION_OWNER_PASSWORD');
    expect(lines[0].error).not.toContain('FOOTFALL_AUTH_APP_PASSWORD');
  });
});
