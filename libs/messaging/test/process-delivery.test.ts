import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../src/envelope-codec.ts';
import type { MessageHandler } from '../src/message.ts';
import { MessagingMetrics } from '../src/messaging-metrics.ts';
import { type Delivery, processDelivery } from '../src/process-delivery.ts';
import { resolveRetryPolicy } from '../src/retry-policy.ts';
import { scrapeMetric } from './contract/scraped-metric.ts';
import { orderMessage, testCatalogue } from './contract/test-messages.ts';

const topic = 'unit.orders';
const catalogue = testCatalogue(topic);
const policy = resolveRetryPolicy({ maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 1_000 });

function delivery(
  attempt: number,
  data = encodeMessage(topic, orderMessage('k', 1), catalogue).data,
) {
  const delivered: Delivery = { topic, subscription: 'unit.sub', data, attributes: {}, attempt };
  return delivered;
}

function contextWith(handler: MessageHandler, registry = new Registry()) {
  return { handler, policy, catalogue, metrics: new MessagingMetrics(registry) };
}

const failing: MessageHandler = async () => {
  throw new Error('store not found');
};

describe('processDelivery', () => {
  it('asks for a retry after the backoff of the attempt that failed', async () => {
    for (const [attempt, ceiling] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      const outcome = await processDelivery(delivery(attempt), contextWith(failing));

      expect(outcome).toMatchObject({ action: 'retry', error: 'Error: store not found' });
      const { delayMs } = outcome as { delayMs: number };
      expect(delayMs, `attempt ${attempt}`).toBeGreaterThanOrEqual(ceiling * 0.8);
      expect(delayMs, `attempt ${attempt}`).toBeLessThanOrEqual(ceiling);
    }
  });

  it('never retries sooner than 80% of the initial backoff, at any attempt below the limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: policy.maxAttempts - 1 }), async (attempt) => {
        const outcome = await processDelivery(delivery(attempt), contextWith(failing));

        expect(outcome.action).toBe('retry');
        expect((outcome as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(80);
      }),
    );
  });

  it('dead-letters on the last attempt with the error, instead of retrying', async () => {
    const outcome = await processDelivery(delivery(policy.maxAttempts), contextWith(failing));

    expect(outcome).toEqual({
      action: 'dead-letter',
      reason: 'handler-failed',
      detail: 'Error: store not found',
    });
  });

  it('names a coded error by its code, and keeps at most 1000 characters of it', async () => {
    // A database error as pg raises it: its name is the unhelpful `error`, its code the SQLSTATE.
    const coded = Object.assign(new Error(`duplicate key ${'k'.repeat(2_000)}`), {
      name: 'error',
      code: '23505',
    });
    const handler: MessageHandler = async () => {
      throw coded;
    };

    const retry = await processDelivery(delivery(1), contextWith(handler));
    const deadLetter = await processDelivery(delivery(policy.maxAttempts), contextWith(handler));

    expect(retry).toMatchObject({ action: 'retry', error: expect.stringMatching(/^23505: dup/) });
    expect(deadLetter).toMatchObject({ detail: expect.stringMatching(/^23505: duplicate key k/) });
    expect((retry as { error: string }).error).toHaveLength(1000);
    expect((deadLetter as { detail: string }).detail).toHaveLength(1000);
  });

  it('acknowledges what the handler accepted, handing it the validated envelope', async () => {
    const seen: unknown[] = [];
    const outcome = await processDelivery(
      delivery(2),
      contextWith(async (message) => {
        seen.push(message.envelope.payload, message.attempt);
      }),
    );

    expect(outcome).toEqual({ action: 'ack' });
    expect(seen).toEqual([{ sequence: 1 }, 2]);
  });

  it('dead-letters bytes that are no envelope at once, without calling the handler', async () => {
    let called = false;
    const outcome = await processDelivery(
      delivery(1, Buffer.from('not json')),
      contextWith(async () => {
        called = true;
      }),
    );

    expect(outcome).toMatchObject({ action: 'dead-letter', reason: 'malformed' });
    expect(called).toBe(false);
  });

  it('counts a delivery only when it reaches the handler, and a dead letter by reason', async () => {
    const registry = new Registry();
    const context = contextWith(async () => {}, registry);
    const labels = { topic, subscription: 'unit.sub' };

    await processDelivery(delivery(1, Buffer.from('not json')), context);
    expect(await scrapeMetric(registry, 'messaging_delivered_total')).toBe(0);
    expect(await scrapeMetric(registry, 'messaging_redelivered_total')).toBe(0);
    expect(
      await scrapeMetric(registry, 'messaging_dead_lettered_total', {
        ...labels,
        reason: 'malformed',
      }),
    ).toBe(1);

    await processDelivery(delivery(2), context);
    expect(await scrapeMetric(registry, 'messaging_delivered_total', labels)).toBe(1);
    expect(await scrapeMetric(registry, 'messaging_redelivered_total', labels)).toBe(1);
  });

  it('leaves counting acknowledgements to the transport, which knows when one was sent', async () => {
    const registry = new Registry();

    expect(
      await processDelivery(
        delivery(1),
        contextWith(async () => {}, registry),
      ),
    ).toEqual({
      action: 'ack',
    });
    expect(await scrapeMetric(registry, 'messaging_acknowledged_total')).toBe(0);
    expect(
      await scrapeMetric(registry, 'messaging_handler_duration_seconds_count', {
        outcome: 'success',
      }),
    ).toBe(1);
  });
});
