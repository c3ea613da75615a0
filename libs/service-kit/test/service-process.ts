import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A fixture service running as a real child process, with its JSON log lines collected. */
export class ServiceProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  /** What the process wrote to stderr, line by line: start-up failures go there. */
  readonly errorLines: string[] = [];
  readonly child: ChildProcess;
  readonly #waiters: Array<() => void> = [];
  readonly #closed: Promise<unknown>;

  constructor(env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures/fixture-service.ts')],
      {
        env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );

    this.#closed = once(this.child, 'close');
    createInterface({ input: this.child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      this.errorLines.push(line);
    });

    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first log line carrying this message, waiting for it if needed. */
  async waitForLine(msg: string): Promise<Record<string, unknown>> {
    for (;;) {
      const line = this.lines.find((candidate) => candidate.msg === msg);
      if (line !== undefined) return line;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** The service's base URL, from the line fastify logs once it listens. */
  async address(): Promise<string> {
    for (;;) {
      const match = this.lines
        .map((line) => /^Server listening at (http:\/\/\S+)$/.exec(String(line.msg)))
        .find((found) => found !== null);

      if (match?.[1] !== undefined) return match[1];
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once the process has exited and both its output streams are read to the end. */
  async exitCode(): Promise<number | null> {
    await this.#closed;
    return this.child.exitCode;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
