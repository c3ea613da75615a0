import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { OrderRewinds } from '../../src/pubsub/order-rewinds.ts';
import { OrderingKeyQueue } from '../../src/pubsub/ordering-key-queue.ts';

describe('OrderingKeyQueue', () => {
  it('runs one key in arrival order and other keys beside it', async () => {
    const queue = new OrderingKeyQueue();
    const log: string[] = [];
    const step = (name: string, delayMs: number) => async () => {
      log.push(`start ${name}`);
      await sleep(delayMs);
      log.push(`end ${name}`);
    };

    await Promise.all([
      queue.run('a', step('a1', 30)),
      queue.run('a', step('a2', 0)),
      queue.run('b', step('b1', 0)),
    ]);

    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('goes on with a key after a step rejects', async () => {
    const queue = new OrderingKeyQueue();
    let ran = false;

    await queue.run('a', async () => {
      throw new Error('step failed');
    });
    await queue.run('a', async () => {
      ran = true;
    });

    expect(ran).toBe(true);
  });
});

describe('OrderRewinds', () => {
  it('sends back what was received before the rewind, and stops at the first later message', () => {
    const rewinds = new OrderRewinds();

    rewinds.rewound('k', 1_000);

    expect(rewinds.mustSendBack('k', 900)).toBe(true);
    expect(rewinds.mustSendBack('other', 900)).toBe(false);
    expect(rewinds.mustSendBack('k', 1_100)).toBe(false);
    expect(rewinds.mustSendBack('k', 900)).toBe(false);
  });
});
