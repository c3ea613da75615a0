import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.ts';
import { Readiness } from '../src/readiness.ts';
import { buildTestApp, type TestApp } from './build-test-app.ts';
import { LogCapture } from './log-capture.ts';

let current: TestApp | undefined;

afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

/** A Readiness whose clock the test moves by hand, logging to a capture. */
function readinessWithLogs(repeatLogMs: number) {
  const logs = new LogCapture();
  const log = createLogger({ service: 'kit-test', version: '1', level: 'info', destination: logs });
  const clock = { now: 0 };
  const readiness = new Readiness({ timeoutMs: 50, log, repeatLogMs, clock: () => clock.now });

  return { logs, readiness, clock };
}

describe('readiness logs', () => {
  it('logs a failing check once at warn with its error, not on every probe', async () => {
    current = await buildTestApp();
    const { app, logs } = current;
    app.readiness.register('database', async () => {
      throw new Error('connect to postgres://app:s3cret@db:5432 refused');
    });

    for (let probe = 0; probe < 3; probe += 1) {
      expect((await app.inject('/readyz')).statusCode).toBe(503);
    }

    expect(logs.withMessage('readiness check failing')).toEqual([
      expect.objectContaining({
        level: 'warn',
        check: 'database',
        state: 'failing',
        err: expect.objectContaining({ message: expect.stringContaining('refused') }),
      }),
    ]);
    expect(logs.raw.join('\n')).not.toContain('s3cret');
  });

  it('logs a check that times out with the deadline it missed', async () => {
    const { logs, readiness } = readinessWithLogs(60_000);
    readiness.register('broker', () => new Promise(() => {}));

    await readiness.probe();

    expect(logs.withMessage('readiness check failing')).toEqual([
      expect.objectContaining({ check: 'broker', state: 'timeout', timeoutMs: 50 }),
    ]);
  });

  it('logs a check that keeps failing again after the repeat interval, counting the rest', async () => {
    const { logs, readiness, clock } = readinessWithLogs(60_000);
    readiness.register('database', async () => {
      throw new Error('refused');
    });

    for (const at of [0, 5_000, 59_999, 60_000, 61_000]) {
      clock.now = at;
      await readiness.probe();
    }

    const warnings = logs.withMessage('readiness check failing');
    expect(warnings.map((line) => line.suppressed)).toEqual([0, 2]);
  });

  it('logs a change of failure at once, and the recovery at info', async () => {
    const { logs, readiness } = readinessWithLogs(60_000);
    let behaviour: 'fail' | 'hang' | 'answer' = 'fail';
    readiness.register('database', async () => {
      if (behaviour === 'fail') throw new Error('refused');
      if (behaviour === 'hang') await sleep(200);
    });

    await readiness.probe();
    behaviour = 'hang';
    await readiness.probe();
    behaviour = 'answer';
    await readiness.probe();
    await readiness.probe();

    const states = logs.withMessage('readiness check failing').map((line) => line.state);
    expect(states).toEqual(['failing', 'timeout']);
    expect(logs.withMessage('readiness check recovered')).toEqual([
      expect.objectContaining({ level: 'info', check: 'database' }),
    ]);
  });
});
