import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repositoryRoot = resolve(import.meta.dirname, '../../..');
const loopbackHosts = new Set(['127.0.0.1', 'localhost']);

/** A broker or emulator a run made sure of, and whether it was this run that started it. */
export interface StartedBroker {
  /** `host:port`, as clients are given it. */
  readonly address: string;
  /** False when something already answered there: stop() then leaves it running. */
  readonly startedHere: boolean;
  /** Stops the broker if this run started it (deleting a temporary directory); else nothing. */
  stop(): Promise<void>;
}

/** What every broker start is given. */
export interface BrokerStartOptions {
  /** What the deploy script runs with: PATH (java, mvn, curl), HOME (Kafka's jar cache). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Where a broker started here keeps its state, kept after it stops (pnpm start's data
   * directory). @default a fresh temporary directory, deleted when the broker stops
   */
  readonly directory?: string;
  /** Told when a first start failed and a second is tried. @default nothing */
  readonly note?: (line: string) => void;
}

/** How one deploy script is told to start a broker on a port, with its state in a directory. */
export interface BrokerScript {
  /** Relative to the repository root, e.g. `deploy/kafka/kafka-broker.sh`. */
  readonly path: string;
  /** Arguments after the action (`start`, `stop`). */
  readonly arguments: readonly string[];
  /** The script's variables for the port and the state directory. */
  settings(port: number, directory: string): Record<string, string>;
}

/**
 * Starts a broker at `address` through its deploy script unless `answers(address)` already
 * holds, in which case it is someone else's and is left alone. A started broker keeps its pid
 * file and data in a directory of its own, so the script's stop can only reach that broker.
 */
export async function startThroughScript(
  address: string,
  script: BrokerScript,
  answers: (address: string) => Promise<boolean>,
  options: BrokerStartOptions,
): Promise<StartedBroker> {
  if (await answers(address)) return { address, startedHere: false, stop: async () => {} };

  const port = loopbackPort(address);
  const state = await stateDirectory(options.directory);
  const environment = { ...options.env, ...script.settings(port, state.path) };
  const control = (action: string) => runScript(script, action, environment);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= control('stop').finally(state.release);
    return stopping;
  };

  try {
    await startOnceMore(script, control, options.note ?? (() => {}));
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  return { address, startedHere: true, stop };
}

// The caller's directory is kept; a temporary one lives as long as the broker.
async function stateDirectory(given: string | undefined) {
  if (given !== undefined) return { path: given, release: async () => {} };

  const path = await mkdtemp(join(tmpdir(), 'footfall-broker-'));
  return { path, release: () => rm(path, { recursive: true, force: true }) };
}

/** Pause before the second try: long enough for a port the first left to be released. */
const retryPauseMs = 2_000;

// A JVM broker on a loaded 2-core machine has been seen to die silently at its first start; a
// second try, after cleaning up the first, decides. Both failures are reported if it fails too.
async function startOnceMore(
  script: BrokerScript,
  control: (action: string) => Promise<void>,
  note: (line: string) => void,
) {
  try {
    await control('start');
  } catch (first) {
    note(`${script.path} start failed, trying once more: ${first}`);
    await control('stop').catch(() => {});
    await sleep(retryPauseMs);
    await control('start').catch((second: unknown) => {
      throw new AggregateError([first, second], 'the broker failed to start twice');
    });
  }
}

// Only a broker on this machine can be started here; anything else must already be running.
function loopbackPort(address: string): number {
  const separator = address.lastIndexOf(':');
  const port = Number(address.slice(separator + 1));

  if (!loopbackHosts.has(address.slice(0, separator)) || !Number.isInteger(port) || port < 1) {
    throw new TypeError(`nothing answers at ${address}, and only 127.0.0.1:<port> can be started`);
  }

  return port;
}

async function runScript(script: BrokerScript, action: string, env: NodeJS.ProcessEnv) {
  const path = join(repositoryRoot, script.path);

  try {
    await run('bash', [path, action, ...script.arguments], { env });
  } catch (error) {
    const output = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${script.path} ${action} failed${output ? `:\n${output}` : ''}`, {
      cause: error,
    });
  }
}
