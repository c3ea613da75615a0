import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Whether a child process still runs: it has neither exited nor been ended by a signal. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Asks a child process to shut down (SIGTERM) and kills it (SIGKILL) if it outlives `timeoutMs`;
 * resolves once it has exited. A child that has already exited is left as it is.
 */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (!isRunning(child)) return;

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);

  try {
    await exited;
  } finally {
    clearTimeout(killer);
  }
}
