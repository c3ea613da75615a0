import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startLocalPostgres } from '@footfall/local-postgres';

export interface EmbeddedPostgresServer {
  readonly adminUrl: string;
  readonly port: number;
  readonly directory: string;
  /** Stops the server and deletes its files; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL server in a fresh temporary directory on a free loopback port.
 * If it fails to start, the directory is removed before the error is thrown. `env` is the test
 * process's own by default: a test helper sits right under its entry point, the test file.
 */
export async function startEmbeddedPostgres(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<EmbeddedPostgresServer> {
  const directory = await mkdtemp(join(tmpdir(), 'footfall-pg-'));
  const removeDirectory = () => rm(directory, { recursive: true, force: true });

  try {
    const server = await startLocalPostgres({
      directory: join(directory, 'data'),
      port: await findFreePort(),
      superuserPassword: randomBytes(24).toString('base64url'),
      env,
      throwaway: true,
    });

    const stop = () => server.stop().finally(removeDirectory);
    return { adminUrl: server.adminUrl, port: server.port, directory, stop };
  } catch (error) {
    await removeDirectory();
    throw error;
  }
}
