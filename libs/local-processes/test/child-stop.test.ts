import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isRunning, stopChild } from '../src/child-stop.ts';

/** A Node child running `code`, resolved once it has printed its first line. */
async function startChild(code: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    if (isRunning(child)) child.kill('SIGKILL');
  });
  await once(child.stdout ?? child, 'data');

  return child;
}

const idle = "console.log('up'); setInterval(() => {}, 1000);";

describe('stopChild', () => {
  it('ends a child with SIGTERM', async () => {
    const child = await startChild(idle);

    await stopChild(child, 30_000);

    expect(child.signalCode).toBe('SIGTERM');
    expect(isRunning(child)).toBe(false);
  });

  it('kills a child that outlives the deadline', async () => {
    const child = await startChild(`process.on('SIGTERM', () => {}); ${idle}`);

    await stopChild(child, 200);

    expect(child.signalCode).toBe('SIGKILL');
  });

  it('leaves a child that has exited as it is', async () => {
    const child = await startChild("console.log('done');");
    await once(child, 'exit');

    await stopChild(child, 30_000);

    expect(child.exitCode).toBe(0);
  });
});
