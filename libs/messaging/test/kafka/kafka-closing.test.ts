import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MessagingMetrics, type Transport } from '../../src/index.ts';
import { createKafkaTransport } from '../../src/kafka/index.ts';
import {
  orderMessage,
  Recorder,
  testCatalogue,
  uniqueName,
  waitFor,
} from '../contract/test-messages.ts';
import { LoggedLines } from '../logged-lines.ts';
import { KafkaTestBroker } from './kafka-test-broker.ts';

const broker = new KafkaTestBroker();
const unavailable = await broker.unavailable();
const skipped = unavailable === undefined ? '' : ` (skipped: ${unavailable})`;
const title = `kafka transport closing${skipped}`;

describe.skipIf(unavailable !== undefined)(title, () => {
  const opened: Transport[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  afterAll(() => broker.close());

  async function open(topic: string, logger = new LoggedLines()) {
    const transport = await createKafkaTransport({
      brokers: broker.brokers.split(','),
      clientId: 'kafka-closing-test',
      createTopics: true,
      sessionTimeoutMs: 10_000,
      metrics: new MessagingMetrics(new Registry()),
      catalogue: testCatalogue(topic),
      logger,
    });
    opened.push(transport);
    return transport;
  }

  it('leaves no consumer behind when close() begins while subscribe() is joining', async () => {
    const [topic, subscription] = [uniqueName('kafka'), uniqueName('sub')];
    const transport = await open(topic);
    const closedOne = new Recorder();

    const subscribing = transport.subscribe({ topic, subscription, handler: closedOne.record });
    const closing = transport.close();

    await expect(subscribing).rejects.toMatchObject({ code: 'MESSAGING_CLOSED' });
    await closing;
    const next = await open(topic);
    const successor = new Recorder();
    await next.subscribe({ topic, subscription, handler: successor.record });
    const [id] = await next.publish(topic, [orderMessage('k', 1)]);

    await waitFor('the successor handles the message', () => successor.ids.has(id ?? ''));
    await sleep(500);
    expect(closedOne.deliveries).toEqual([]);
  });
});
