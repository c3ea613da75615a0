import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { type ContractCatalogue, MessagingMetrics, type Transport } from '../../src/index.ts';
import {
  createKafkaTransport,
  subscriptionTopics,
  transportHeaders,
} from '../../src/kafka/index.ts';
import { scrapeMetric } from '../contract/scraped-metric.ts';
import {
  orderMessage,
  Recorder,
  testCatalogue,
  uniqueName,
  waitFor,
} from '../contract/test-messages.ts';
import { KafkaTestBroker } from './kafka-test-broker.ts';

const broker = new KafkaTestBroker();
const unavailable = await broker.unavailable();
if (unavailable !== undefined) process.stdout.write(`[kafka transport] skipped: ${unavailable}\n`);

const fastRetry = { initialBackoffMs: 50, maxBackoffMs: 200 };
const title = `kafka transport${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`;

describe.skipIf(unavailable !== undefined)(title, () => {
  const opened: Transport[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  afterAll(async () => {
    await broker.close();
  });

  async function open(catalogue: ContractCatalogue, registry = new Registry()) {
    const transport = await createKafkaTransport({
      brokers: broker.brokers.split(','),
      clientId: 'kafka-transport-test',
      createTopics: true,
      sessionTimeoutMs: 10_000,
      metrics: new MessagingMetrics(registry),
      catalogue,
    });
    opened.push(transport);
    return transport;
  }

  function fresh() {
    const topic = uniqueName('kafka');
    return { topic, subscription: uniqueName('sub'), catalogue: testCatalogue(topic) };
  }

  it('carries the envelope and attributes, and creates the topics it needs', async () => {
    const { topic, subscription, catalogue } = fresh();
    const transport = await open(catalogue);
    const recorder = new Recorder();

    await transport.subscribe({ topic, subscription, handler: recorder.record });
    const [id] = await transport.publish(topic, [
      { ...orderMessage('store-1', 7), attributes: { traceparent: 'trace-1' } },
    ]);

    await waitFor('the message is handled', () => recorder.ids.size === 1);
    const [delivered] = recorder.deliveries;
    expect(delivered?.envelope).toMatchObject({ id, key: 'store-1', payload: { sequence: 7 } });
    expect(delivered?.attributes).toEqual({ traceparent: 'trace-1' });
    expect(delivered).toMatchObject({ attempt: 1, topic, subscription });
  });

  it('redelivers a failed message through the retry topic as attempt 2', async () => {
    const { topic, subscription, catalogue } = fresh();
    const transport = await open(catalogue);
    const attempts: number[] = [];

    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 3 },
      handler: async (message) => {
        attempts.push(message.attempt);
        if (message.attempt === 1) throw new Error('transient failure');
      },
    });
    await transport.publish(topic, [orderMessage('k', 1)]);

    const retryTopic = subscriptionTopics(topic, subscription).retry;
    await waitFor('the second attempt succeeds', () => attempts.length === 2);
    await waitFor('the retry is read back', async () => (await broker.read(retryTopic)).length > 0);
    const retried = await broker.read(retryTopic);
    expect(attempts).toEqual([1, 2]);
    expect(retried).toHaveLength(1);
    expect(retried[0]?.headers[transportHeaders.attempt]).toBe('2');
    expect(Number(retried[0]?.headers[transportHeaders.notBefore])).toBeGreaterThan(0);
  });

  it('dead-letters after the last attempt, keeping the message and the reason', async () => {
    const { topic, subscription, catalogue } = fresh();
    const transport = await open(catalogue);
    let attempts = 0;

    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 3 },
      handler: async () => {
        attempts += 1;
        throw new Error('permanent failure');
      },
    });
    const [id] = await transport.publish(topic, [orderMessage('k', 1)]);

    await waitFor(
      'it is dead-lettered',
      async () => (await broker.readDeadLetters(topic, subscription)).length > 0,
    );
    const [letter] = await broker.readDeadLetters(topic, subscription);
    expect(attempts).toBe(3);
    expect(JSON.parse(letter?.value ?? '{}')).toMatchObject({ id, key: 'k' });
    expect(letter?.headers).toMatchObject({
      [transportHeaders.deadLetterReason]: 'handler-failed',
      [transportHeaders.deadLetterDetail]: 'Error: permanent failure',
      [transportHeaders.attempt]: '3',
    });
  });

  it('dead-letters an unreadable message at once, without calling the handler', async () => {
    const { topic, subscription, catalogue } = fresh();
    const transport = await open(catalogue);
    const recorder = new Recorder();
    const raw = broker.kafka.producer();
    await raw.connect();
    onTestFinished(() => raw.disconnect());

    await transport.subscribe({ topic, subscription, handler: recorder.record });
    await raw.send({ topic, messages: [{ key: 'k', value: 'not json' }] });
    const [validId] = await transport.publish(topic, [orderMessage('k', 2)]);

    await waitFor('the valid message behind it is handled', () => recorder.ids.has(validId ?? ''));
    await waitFor(
      'the unreadable one is dead-lettered',
      async () => (await broker.readDeadLetters(topic, subscription)).length > 0,
    );
    const [letter] = await broker.readDeadLetters(topic, subscription);
    expect(letter).toMatchObject({ value: 'not json', key: 'k' });
    expect(letter?.headers[transportHeaders.deadLetterReason]).toBe('malformed');
    expect(recorder.deliveries).toHaveLength(1);
    expect(await broker.messageCount(subscriptionTopics(topic, subscription).retry)).toBe(0);
  });

  it('commits an offset only after the handler finished, and reports the wait as lag', async () => {
    const { topic, subscription, catalogue } = fresh();
    const registry = new Registry();
    const transport = await open(catalogue, registry);
    const release = Promise.withResolvers<void>();
    let started = false;

    await transport.subscribe({
      topic,
      subscription,
      handler: async () => {
        started = true;
        await release.promise;
      },
    });
    await transport.publish(topic, [orderMessage('k', 1)]);
    await waitFor('the handler is running', () => started);
    await sleep(50);

    const committed = () => broker.committedOffsets(subscription, topic);
    expect(Math.max(...(await committed()))).toBe(-1);
    expect(await lagOf(registry, subscription)).toBeGreaterThan(0);

    release.resolve();
    await waitFor('the offset is committed', async () => (await committed()).includes(1));
    await waitFor(
      'the lag falls back to 0',
      async () => (await lagOf(registry, subscription)) === 0,
    );
  });

  it('counts acknowledgements only once their offsets are committed', async () => {
    const { topic, subscription, catalogue } = fresh();
    const registry = new Registry();
    const transport = await open(catalogue, registry);
    const release = Promise.withResolvers<void>();
    onTestFinished(() => release.resolve());
    const handled: number[] = [];

    // One key, so one partition and one batch: the first finishes, the second holds the batch,
    // and the paced commit has not come yet.
    await transport.subscribe({
      topic,
      subscription,
      handler: async (message) => {
        const { sequence } = message.envelope.payload as { sequence: number };
        if (sequence === 2) await release.promise;
        handled.push(sequence);
      },
    });
    await transport.publish(topic, [orderMessage('k', 1), orderMessage('k', 2)]);
    await waitFor('the first is handled', () => handled.length === 1);
    await sleep(300);

    const labels = { topic, subscription };
    const acknowledged = () => scrapeMetric(registry, 'messaging_acknowledged_total', labels);
    const committed = async () =>
      (await broker.committedOffsets(subscription, topic)).reduce((n, o) => n + Math.max(0, o), 0);
    // Read in this order: a count taken before the commits cannot exceed them.
    const countedWhileHeld = await acknowledged();
    expect(countedWhileHeld).toBeLessThanOrEqual(await committed());

    release.resolve();
    await waitFor('both are counted', async () => (await acknowledged()) === 2);
    expect(await committed()).toBe(2);
  });
});

async function lagOf(registry: Registry, subscription: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('messaging_consumer_lag_seconds')?.get();
  return metric?.values.find((value) => value.labels.subscription === subscription)?.value;
}
