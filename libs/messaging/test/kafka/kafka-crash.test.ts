import { ConfigResourceTypes } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { MessagingMetrics, type Transport } from '../../src/index.ts';
import {
  createKafkaTransport,
  subscriptionTopics,
  transportHeaders,
} from '../../src/kafka/index.ts';
import { Recorder, testCatalogue, uniqueName, waitFor } from '../contract/test-messages.ts';
import { LoggedLines } from '../logged-lines.ts';
import { KafkaTestBroker } from './kafka-test-broker.ts';

const broker = new KafkaTestBroker();
const unavailable = await broker.unavailable();
const skipped = unavailable === undefined ? '' : ` (skipped: ${unavailable})`;
const title = `kafka consumer crash${skipped}`;

async function setMaxMessageBytes(topic: string, bytes: number): Promise<void> {
  const admin = broker.kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: String(bytes) }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

const answers = (transport: Transport) =>
  transport.check().then(
    () => true,
    () => false,
  );

describe.skipIf(unavailable !== undefined)(title, () => {
  const opened: Transport[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  afterAll(() => broker.close());

  it('logs a crash kafkajs will not restart, fails check() and restarts the consumer', async () => {
    const [topic, subscription] = [uniqueName('kafka'), uniqueName('sub')];
    const { deadLetter } = subscriptionTopics(topic, subscription);
    await broker.provision(topic, [subscription]);
    // The dead-letter copy of the message below is too large for its topic: the broker refuses
    // it with an error kafkajs does not retry, and the consumer crashes for good.
    await setMaxMessageBytes(deadLetter, 1_024);
    const logger = new LoggedLines();
    const transport = await createKafkaTransport({
      brokers: broker.brokers.split(','),
      clientId: 'kafka-crash-test',
      sessionTimeoutMs: 10_000,
      metrics: new MessagingMetrics(new Registry()),
      catalogue: testCatalogue(topic),
      logger,
    });
    opened.push(transport);
    const recorder = new Recorder();
    await transport.subscribe({ topic, subscription, handler: recorder.record });
    expect(await answers(transport)).toBe(true);

    const raw = broker.kafka.producer();
    await raw.connect();
    onTestFinished(() => raw.disconnect());
    await raw.send({ topic, messages: [{ key: 'k', value: 'not json'.repeat(250) }] });

    await waitFor('check() reports the crash', async () => !(await answers(transport)));
    expect(logger.problems()).toContain('error: Kafka consumer crashed; restarting it');
    await setMaxMessageBytes(deadLetter, 1_048_588);

    await waitFor('the restarted consumer dead-letters it', async () => {
      return (await broker.readDeadLetters(topic, subscription)).length === 1;
    });
    const [letter] = await broker.readDeadLetters(topic, subscription);
    expect(letter?.headers[transportHeaders.deadLetterReason]).toBe('malformed');
    await waitFor('check() passes again', () => answers(transport));
  }, 90_000);
});
