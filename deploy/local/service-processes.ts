import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isRunning, stopChild, waitUntilReady } from '@footfall/local-processes';
import { formatLogLine } from './log-format.ts';

export interface ServiceSpec {
  readonly name: string;
  /** The entry point, run with this same Node binary. */
  readonly entry: string;
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface ServiceProcessesOptions {
  /** Receives every output line, already prefixed with the service's name. */
  readonly print: (line: string) => void;
  /** Called once if a service exits while the platform is meant to be running. */
  readonly onUnexpectedExit: (name: string, code: number | null) => void;
  readonly color: boolean;
  /** The PATH services run with: the one variable they inherit from `pnpm start`. */
  readonly path: string;
}

const colors = [36, 35, 33, 32, 34];

/** The platform's services as child processes, with prefixed output and orderly stopping. */
export class ServiceProcesses {
  readonly #children = new Map<string, ChildProcess>();
  readonly #options: ServiceProcessesOptions;
  #stopping = false;

  constructor(options: ServiceProcessesOptions) {
    this.#options = options;
  }

  start(specs: readonly ServiceSpec[]): void {
    const width = Math.max(...specs.map((spec) => spec.name.length));

    specs.forEach((spec, index) => {
      const prefix = this.#prefix(spec.name.padEnd(width), colors[index % colors.length] ?? 0);
      this.#children.set(spec.name, this.#spawn(spec, prefix));
    });
  }

  /** Polls each service's /readyz until all answer 200, or throws naming the ones that did not. */
  async waitUntilReady(specs: readonly ServiceSpec[], timeoutMs: number): Promise<void> {
    const wait = { timeoutMs, stillWaiting: () => !this.#stopping };
    const ready = await Promise.all(specs.map((spec) => waitUntilReady(spec.url, wait)));
    const pending = specs.filter((_spec, index) => !ready[index]);

    if (pending.length > 0) {
      const names = pending.map((spec) => spec.name).join(', ');
      throw new Error(`not ready after ${timeoutMs / 1000} s: ${names}`);
    }
  }

  /** Sends a signal to every running service without waiting, for a process exiting now. */
  signalAll(signal: NodeJS.Signals): void {
    for (const child of this.#children.values()) {
      if (isRunning(child)) child.kill(signal);
    }
  }

  /** Asks every service to shut down gracefully, and kills any that outlive the deadline. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;

    await Promise.all([...this.#children.values()].map((child) => stopChild(child, timeoutMs)));
  }

  #spawn(spec: ServiceSpec, prefix: string): ChildProcess {
    // kafkajs 2.2 computes a negative timer once per connection, which Node 24 reports as a
    // warning on every start; it is harmless and would bury the real output.
    const child = spawn(
      process.execPath,
      ['--disable-warning=TimeoutNegativeWarning', spec.entry],
      {
        env: { PATH: this.#options.path, ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );

    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.#options.print(`${prefix} ${formatLogLine(line)}`);
      });
    }

    child.once('exit', (code) => {
      if (!this.#stopping) this.#options.onUnexpectedExit(spec.name, code);
    });

    return child;
  }

  #prefix(name: string, color: number): string {
    return this.#options.color ? `\u001b[${color}m${name} |\u001b[0m` : `${name} |`;
  }
}
