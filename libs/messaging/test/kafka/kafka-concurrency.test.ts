import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MessagingMetrics, type Transport } from '../../src/index.ts';
import { createKafkaTransport } from '../../src/kafka/index.ts';
import { orderMessage, testCatalogue, uniqueName, waitFor } from '../contract/test-messages.ts';
import { KafkaTestBroker } from './kafka-test-broker.ts';

const broker = new KafkaTestBroker();
const unavailable = await broker.unavailable();
const title = `kafka concurrency${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`;

describe.skipIf(unavailable !== undefined)(title, () => {
  const opened: Transport[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  afterAll(() => broker.close());

  it('runs at most `concurrency` handlers across the topic and its retry topic', async () => {
    const [topic, subscription] = [uniqueName('kafka'), uniqueName('sub')];
    const transport = await createKafkaTransport({
      brokers: broker.brokers.split(','),
      clientId: 'kafka-concurrency-test',
      createTopics: true,
      sessionTimeoutMs: 10_000,
      metrics: new MessagingMetrics(new Registry()),
      catalogue: testCatalogue(topic),
    });
    opened.push(transport);
    let running = 0;
    let mostAtOnce = 0;
    const succeeded = new Set<number>();

    await transport.subscribe({
      topic,
      subscription,
      concurrency: 2,
      retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 },
      // Every other message fails once, so the retry consumer works beside the main one.
      handler: async (message) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(30);
        running -= 1;
        const { sequence } = message.envelope.payload as { sequence: number };
        if (sequence % 2 === 0 && message.attempt === 1) throw new Error('fails once');
        succeeded.add(sequence);
      },
    });
    await transport.publish(
      topic,
      Array.from({ length: 72 }, (_, n) => orderMessage(`k${n % 12}`, n)),
    );

    await waitFor('all 72 succeed', () => succeeded.size === 72, 60_000);
    expect(mostAtOnce).toBeLessThanOrEqual(2);
  }, 90_000);
});
