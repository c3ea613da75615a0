import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapDatabases, buildConnectionUrl, listRoles, messagingDatabase } from '@footfall/db';
import { findFreePort, startLocalPostgres } from '@footfall/local-postgres';

export interface BenchPostgres {
  readonly host: string;
  readonly port: number;
  readonly passwords: Readonly<Record<string, string>>;
  urlOf(role: string, database?: string): string;
  stop(): Promise<void>;
}

/**
 * A fresh, throwaway PostgreSQL with the platform's databases and roles, like the test run's.
 * Durability settings are the throwaway ones (no fsync), which flatters every figure measured on
 * it equally: the baseline as much as the transport.
 */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const directory = await mkdtemp(join(tmpdir(), 'footfall-bench-'));
  const server = await startLocalPostgres({
    directory: join(directory, 'data'),
    port: await findFreePort(),
    superuserPassword: randomBytes(18).toString('base64url'),
    // The bench harness is a tool like the test run: its helpers use its own environment.
    env: process.env,
    throwaway: true,
  });
  const passwords = Object.fromEntries(
    listRoles().map((role) => [role, randomBytes(18).toString('base64url')]),
  );

  await bootstrapDatabases({ adminUrl: server.adminUrl, passwords });

  return {
    host: '127.0.0.1',
    port: server.port,
    passwords,
    urlOf: (role, database = messagingDatabase.database) =>
      buildConnectionUrl({
        host: '127.0.0.1',
        port: server.port,
        database,
        user: role,
        password: passwords[role] ?? '',
      }),
    stop: async () => {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
