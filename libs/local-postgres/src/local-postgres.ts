import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once as onceEvent } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findPostgresBinaries, type PostgresBinaries } from './postgres-binaries.ts';
import { chooseServerAccount, type ServerAccount } from './server-account.ts';

const run = promisify(execFile);

export interface LocalPostgresSettings {
  /** The cluster's data directory; initialised on first use, reused afterwards. */
  readonly directory: string;
  readonly port: number;
  readonly superuserPassword: string;
  /**
   * The caller's environment; only its PATH reaches initdb and the server, which otherwise run
   * with a fixed English locale.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Trades durability for speed (no fsync), for clusters whose data is thrown away, as in tests.
   * @default false
   */
  readonly throwaway?: boolean;
}

export interface LocalPostgres {
  /** A superuser URL on 127.0.0.1, for bootstrapping databases and roles. */
  readonly adminUrl: string;
  readonly port: number;
  /** Stops the server; safe to call more than once, and after the server died on its own. */
  stop(): Promise<void>;
  /** Asks the server to shut down without waiting, for a process that must exit right now. */
  abandon(): void;
}

interface Cluster {
  readonly binaries: PostgresBinaries;
  readonly account: ServerAccount | undefined;
  readonly settings: LocalPostgresSettings;
}

const startTimeoutMs = 30_000;
const stopTimeoutMs = 15_000;
const readyMessage = 'database system is ready to accept connections';

// Loopback only and no Unix socket: nothing of the server is reachable from elsewhere, and
// nothing is left outside the data directory.
const serverFlags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
const throwawayFlags = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
];

// English, locale-independent server messages, so readiness can be read from the log.
function serverEnvironment(settings: LocalPostgresSettings) {
  return { LANG: 'C', LC_ALL: 'C', PATH: settings.env.PATH ?? '' };
}

/**
 * Starts a real PostgreSQL server from the binaries npm installed, with SCRAM authentication,
 * initialising the cluster on first use. The server gets its own process group, so a Ctrl-C in a
 * terminal reaches the processes that use it first and the caller decides when it stops.
 */
export async function startLocalPostgres(settings: LocalPostgresSettings): Promise<LocalPostgres> {
  const cluster: Cluster = {
    binaries: await findPostgresBinaries(),
    account: await chooseServerAccount(),
    settings,
  };

  await stopLeftoverServer(cluster);

  if (!existsSync(join(settings.directory, 'PG_VERSION'))) {
    await initialiseCluster(cluster);
  }

  const server = await startServer(cluster);
  const password = encodeURIComponent(settings.superuserPassword);

  return {
    adminUrl: `postgresql://postgres:${password}@127.0.0.1:${settings.port}/postgres`,
    port: settings.port,
    stop: once(() => stopServer(server)),
    abandon: () => {
      // SIGINT is a fast shutdown, which PostgreSQL completes on its own after we are gone.
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    },
  };
}

async function initialiseCluster(cluster: Cluster): Promise<void> {
  const { directory, superuserPassword } = cluster.settings;
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await giveToAccount(directory, cluster.account);

  const scratch = await mkdtemp(join(tmpdir(), 'footfall-initdb-'));
  const passwordFile = join(scratch, 'password');

  try {
    await writeFile(passwordFile, `${superuserPassword}\n`, { mode: 0o600 });
    await giveToAccount(scratch, cluster.account);
    await giveToAccount(passwordFile, cluster.account);
    await runAs(cluster, cluster.binaries.initdb, [
      `--pgdata=${directory}`,
      '--username=postgres',
      '--auth=scram-sha-256',
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--no-locale',
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function startServer(cluster: Cluster): Promise<ChildProcess> {
  const { directory, port, throwaway } = cluster.settings;
  const flags = [...serverFlags, ...(throwaway ? throwawayFlags : []), '-c', 'max_connections=200'];
  const server = spawn(cluster.binaries.postgres, ['-D', directory, '-p', String(port), ...flags], {
    ...cluster.account,
    env: serverEnvironment(cluster.settings),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });

  await waitUntilReady(server, port);
  return server;
}

/** Resolves once the server logs that it accepts connections; rejects with its log otherwise. */
async function waitUntilReady(server: ChildProcess, port: number): Promise<void> {
  const output: string[] = [];

  await new Promise<void>((resolve, reject) => {
    const fail = (reason: string) => {
      server.kill('SIGKILL');
      reject(
        new Error(`PostgreSQL did not start on port ${port} (${reason}):\n${output.join('')}`),
      );
    };
    const timer = setTimeout(() => fail('timed out'), startTimeoutMs);

    server.stderr?.on('data', (chunk: Buffer) => {
      keepTail(output, chunk.toString('utf8'));
      if (output.join('').includes(readyMessage)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', (code) => fail(`exited with code ${code}`));
  });

  // Keep draining the log after start-up, or the server would block once the pipe fills.
  server.stderr?.removeAllListeners('data');
  server.stderr?.resume();
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) {
    return;
  }

  const exited = onceEvent(server, 'exit');
  // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  server.kill('SIGINT');

  const deadline = new AbortController();
  const outcome = await Promise.race([
    exited.then(() => 'exited'),
    sleep(stopTimeoutMs, 'timeout', { signal: deadline.signal }),
  ]);
  deadline.abort();

  if (outcome !== 'exited') {
    server.kill('SIGKILL');
    await exited;
  }
}

/**
 * A previous run that was killed outright can leave its server running on the same data
 * directory; stop it, or the new server could not start. pg_ctl checks that the recorded process
 * really is that cluster's server before signalling it.
 */
async function stopLeftoverServer(cluster: Cluster): Promise<void> {
  const { directory } = cluster.settings;

  if (!existsSync(join(directory, 'postmaster.pid'))) {
    return;
  }

  await runAs(cluster, cluster.binaries.pg_ctl, [
    'stop',
    '-D',
    directory,
    '-m',
    'fast',
    '-w',
  ]).catch(() => undefined);
}

async function runAs(cluster: Cluster, file: string, args: readonly string[]): Promise<void> {
  try {
    await run(file, [...args], {
      ...cluster.account,
      env: serverEnvironment(cluster.settings),
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${file} ${args[0] ?? ''} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** Hands a path to the server's account; also lets that account pass through the parent. */
async function giveToAccount(path: string, account: ServerAccount | undefined): Promise<void> {
  if (account === undefined) {
    return;
  }

  await chown(path, account.uid, account.gid);
  const parent = dirname(path);
  const { mode } = await stat(parent);
  await chmod(parent, mode | 0o111);
}

function keepTail(chunks: string[], chunk: string) {
  chunks.push(chunk);
  chunks.splice(0, Math.max(0, chunks.length - 200));
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;

  return () => {
    running ??= action();
    return running;
  };
}
