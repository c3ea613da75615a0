import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContractCatalogue,
  MessagingMetrics,
  maxMessageBytes,
  type Transport,
} from '../../src/index.ts';
import type { ContractHarness } from './contract-harness.ts';
import {
  messageOfSize,
  orderMessage,
  Recorder,
  testCatalogue,
  uniqueName,
  waitFor,
} from './test-messages.ts';

function sequenceOf(recorder: Recorder): number[] {
  return recorder.deliveries.map((d) => (d.envelope.payload as { sequence: number }).sequence);
}

/**
 * Publishing at the edges of the message limits, on a real broker: what the codec lets through
 * must reach the consumer, whatever the broker's own limits on a request or a batch, and what it
 * refuses must send nothing.
 */
export function describePublishLimitsContract(harness: ContractHarness): void {
  let unavailable: string | undefined;
  const opened: Transport[] = [];

  beforeAll(async () => {
    unavailable = await harness.unavailable();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  async function openFresh(catalogue?: ContractCatalogue) {
    const topic = uniqueName('limits');
    const subscription = uniqueName('sub');
    await harness.provision(topic, [subscription]);
    const transport = await harness.createTransport({
      metrics: new MessagingMetrics(new Registry()),
      catalogue: catalogue ?? testCatalogue(topic),
    });
    opened.push(transport);
    return { topic, subscription, transport };
  }

  describe(`${harness.name} transport at the message limits`, () => {
    it('delivers one publish of six 200 KiB messages with one key, in order', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, transport } = await openFresh();
      const recorder = new Recorder();

      await transport.subscribe({ topic, subscription, handler: recorder.record });
      const messages = [0, 1, 2, 3, 4, 5].map((n) => messageOfSize(topic, n, 200 * 1024));
      const ids = await transport.publish(topic, messages);

      await waitFor('all six are handled', () => recorder.ids.size === 6, 60_000);
      expect([...recorder.ids].sort()).toEqual([...ids].sort());
      expect(sequenceOf(recorder)).toEqual([0, 1, 2, 3, 4, 5]);
    }, 90_000);

    it('delivers a message of exactly the limit, attributes included', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, transport } = await openFresh();
      const recorder = new Recorder();
      const attributes = Object.fromEntries(
        Array.from({ length: 64 }, (_, n) => [`attribute-${n}`, 'v'.repeat(1024)]),
      );

      await transport.subscribe({ topic, subscription, handler: recorder.record });
      const largest = messageOfSize(topic, 1, maxMessageBytes, attributes);
      const [id] = await transport.publish(topic, [largest, orderMessage('k', 2)]);

      await waitFor('it is handled', () => recorder.ids.has(id ?? ''), 60_000);
      expect(recorder.deliveries[0]?.attributes).toEqual(attributes);
    }, 90_000);

    it('sends nothing of a publish holding an envelope consumers refuse', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, transport } = await openFresh();
      const recorder = new Recorder();

      await transport.subscribe({ topic, subscription, handler: recorder.record });
      // A `footfall.` name would pass for a header the Kafka transport writes itself.
      const reserved = { 'footfall.attempt': '9' };
      const refused = [
        [orderMessage('k', 1), { ...orderMessage('k', 2), id: 'not-a-uuid' }],
        [orderMessage('k', 3), { ...orderMessage('k', 4), attributes: { big: 'v'.repeat(2e6) } }],
        [orderMessage('k', 5), { ...orderMessage('k', 6), attributes: reserved }],
      ];
      const codes = [];
      for (const messages of refused) {
        codes.push(await transport.publish(topic, messages).catch((error) => error.code));
      }
      const [last] = await transport.publish(topic, [orderMessage('k', 7)]);

      expect(codes).toEqual([
        'MESSAGING_INVALID_ENVELOPE',
        'MESSAGING_INVALID_ATTRIBUTES',
        'MESSAGING_INVALID_ATTRIBUTES',
      ]);
      await waitFor('the valid publish is handled', () => recorder.ids.has(last ?? ''));
      await sleep(200);
      expect(sequenceOf(recorder)).toEqual([7]);
    });
  });
}
