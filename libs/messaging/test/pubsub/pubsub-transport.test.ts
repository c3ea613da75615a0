import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveredMessage, MessagingMetrics, type Transport } from '../../src/index.ts';
import { createPubSubTransport, deadLetterName } from '../../src/pubsub/index.ts';
import type { RetryPolicy } from '../../src/transport.ts';
import {
  orderMessage,
  permissiveCatalogue,
  Recorder,
  testCatalogue,
  uniqueName,
  waitFor,
} from '../contract/test-messages.ts';
import {
  envelopeId,
  PubSubTestEmulator,
  type ReadDeadLetter,
  testProjectId,
} from './pubsub-test-emulator.ts';

const emulator = new PubSubTestEmulator();
const opened: Transport[] = [];
let unavailable: string | undefined;

beforeAll(async () => {
  unavailable = await emulator.unavailable();
  if (unavailable !== undefined) process.stdout.write(`[pubsub] skipped: ${unavailable}\n`);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
});

afterAll(() => emulator.close());

/** A transport that creates its own topology, as in development. */
async function open(topic: string, registry = new Registry(), catalogue = testCatalogue(topic)) {
  const transport = await createPubSubTransport({
    metrics: new MessagingMetrics(registry),
    catalogue,
    projectId: testProjectId,
    apiEndpoint: emulator.host,
    createTopology: true,
  });
  opened.push(transport);
  return transport;
}

function names() {
  return { topic: uniqueName('pubsub'), subscription: uniqueName('sub') };
}

const fastRetry: Partial<RetryPolicy> = { initialBackoffMs: 50, maxBackoffMs: 200 };

function sequenceOf(message: DeliveredMessage): number {
  return (message.envelope.payload as { sequence: number }).sequence;
}

async function deadLetterOf(subscription: string, id: string | undefined) {
  let found: ReadDeadLetter | undefined;
  await waitFor(`message ${id} is dead-lettered`, async () => {
    const letters = await emulator.readDeadLetters(subscription);
    found = letters.find((letter) => envelopeId(letter.data) === id);
    return found !== undefined;
  });
  return found as ReadDeadLetter;
}

describe('Pub/Sub transport on the emulator', () => {
  it('creates the subscription with ordering, a dead-letter policy and a retry policy', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const transport = await open(topic);

    const handle = await transport.subscribe({
      topic,
      subscription,
      retry: { maxAttempts: 3, initialBackoffMs: 1500, maxBackoffMs: 20_000 },
      handler: async () => {},
    });
    await handle.close();

    const [metadata] = await emulator.pubsub.subscription(subscription).getMetadata();
    expect(metadata.enableMessageOrdering).toBe(true);
    expect(metadata.deadLetterPolicy?.deadLetterTopic).toMatch(/\/topics\/sub\..+\.dead-letter$/);
    expect(metadata.deadLetterPolicy?.maxDeliveryAttempts).toBe(12);
    expect(metadata.retryPolicy?.minimumBackoff).toMatchObject({ seconds: '1', nanos: 5e8 });
    expect(metadata.retryPolicy?.maximumBackoff).toMatchObject({ seconds: '20' });
    const [readable] = await emulator.pubsub.subscription(deadLetterName(subscription)).exists();
    expect(readable).toBe(true);
  });

  it('carries envelope, key and attributes, and returns the envelope ids', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const registry = new Registry();
    const transport = await open(topic, registry);
    const recorder = new Recorder();

    await transport.subscribe({ topic, subscription, handler: recorder.record });
    const message = { ...orderMessage('store-1', 7), attributes: { origin: 'test' } };
    const [id] = await transport.publish(topic, [message]);

    await waitFor('the message is handled', () => recorder.ids.has(id ?? ''));
    const [delivered] = recorder.deliveries;
    expect(delivered?.envelope).toMatchObject({ id, key: 'store-1', payload: { sequence: 7 } });
    expect(delivered?.attributes).toEqual({ origin: 'test' });
    expect(delivered?.attempt).toBe(1);
    expect(await registry.metrics()).toMatch(`messaging_published_total{topic="${topic}"} 1`);
  });

  it('redelivers a failed message with attempt 2, and its key waits for it', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const transport = await open(topic);
    const succeeded: number[] = [];
    const attempts: number[] = [];

    await transport.subscribe({
      topic,
      subscription,
      retry: fastRetry,
      handler: async (message) => {
        if (sequenceOf(message) === 1) attempts.push(message.attempt);
        if (sequenceOf(message) === 1 && message.attempt === 1) throw new Error('transient');
        succeeded.push(sequenceOf(message));
      },
    });
    await transport.publish(
      topic,
      Array.from({ length: 5 }, (_, n) => orderMessage('k', n)),
    );

    await waitFor('all five succeed', () => new Set(succeeded).size === 5);
    expect(attempts).toEqual([1, 2]);
    expect([...new Set(succeeded)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('dead-letters after the last attempt with reason, detail and origin', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const transport = await open(topic);
    const attempts: number[] = [];

    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 3 },
      handler: async (message) => {
        attempts.push(message.attempt);
        throw new Error('store not found');
      },
    });
    const message = { ...orderMessage('k', 1), attributes: { origin: 'test' } };
    const [id] = await transport.publish(topic, [message]);

    const letter = await deadLetterOf(subscription, id);
    expect(attempts).toEqual([1, 2, 3]);
    expect(letter.attributes).toMatchObject({
      reason: 'handler-failed',
      detail: 'Error: store not found',
      subscription,
      attempt: '3',
      deliveryAttempt: '3',
      origin: 'test',
    });
  });

  it('dead-letters after maxAttempts failures of the message itself, not its send-backs', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const transport = await open(topic);
    const attempts = new Map<number, number[]>();

    // Each failure of the first message sends the second back too, which Pub/Sub counts as a
    // delivery of it: by the time the second reaches its handler, deliveryAttempt is 3.
    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 3 },
      handler: async (message) => {
        const sequence = sequenceOf(message);
        attempts.set(sequence, [...(attempts.get(sequence) ?? []), message.attempt]);
        if (sequence === 0) throw new Error('poison');
        if (message.attempt === 1) throw new Error('transient');
      },
    });
    const [poisonId, healthyId] = await transport.publish(topic, [
      orderMessage('k', 0),
      orderMessage('k', 1),
    ]);

    const letter = await deadLetterOf(subscription, poisonId);
    const buried = async () =>
      (await emulator.readDeadLetters(subscription)).map((l) => envelopeId(l.data));
    await waitFor(
      'the second is handled, or dead-lettered too',
      async () => attempts.get(1)?.length === 2 || (await buried()).includes(healthyId),
      15_000,
      () => `attempts seen: ${JSON.stringify([...attempts])}`,
    );
    await sleep(300);
    expect(await buried()).toEqual([poisonId]);
    expect(letter.attributes).toMatchObject({ reason: 'handler-failed', attempt: '3' });
    expect(attempts.get(0)).toEqual([1, 2, 3]);
    expect(attempts.get(1)).toEqual([1, 2]);
  });

  it('dead-letters an invalid payload at once, and malformed bytes too', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const producer = await open(topic, new Registry(), permissiveCatalogue(topic));
    const recorder = new Recorder();

    const consumer = await open(topic);
    await consumer.subscribe({ topic, subscription, handler: recorder.record });
    const invalid = { ...orderMessage('k', 0), payload: { sequence: 'not a number' } };
    const [invalidId] = await producer.publish(topic, [invalid]);
    await emulator.pubsub.topic(topic).publishMessage({ data: Buffer.from('not json') });

    const letter = await deadLetterOf(subscription, invalidId);
    expect(letter.attributes).toMatchObject({ reason: 'invalid-payload', deliveryAttempt: '1' });
    await waitFor('the malformed message is dead-lettered', async () => {
      const letters = await emulator.readDeadLetters(subscription);
      return letters.some((l) => l.data === 'not json' && l.attributes.reason === 'malformed');
    });
    expect(recorder.deliveries).toHaveLength(0);
  });

  it('finishes the handler in flight on close, acknowledges it and loses nothing', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const transport = await open(topic);
    const first: string[] = [];

    const handle = await transport.subscribe({
      topic,
      subscription,
      handler: async (message) => {
        first.push(message.envelope.id);
        await sleep(200);
      },
    });
    const ids = await transport.publish(
      topic,
      Array.from({ length: 6 }, (_, n) => orderMessage('k', n)),
    );
    await waitFor('a handler is running', () => first.length > 0);
    await handle.close();

    const handledOnce = [...first];
    const successor = new Recorder();
    await (await open(topic)).subscribe({ topic, subscription, handler: successor.record });
    await waitFor('the successor handles the rest', () =>
      ids.every((id) => handledOnce.includes(id) || successor.ids.has(id)),
    );
    expect(handledOnce.filter((id) => successor.ids.has(id))).toEqual([]);
  });

  it('reports the age of the oldest message in hand as consumer lag', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic, subscription } = names();
    const registry = new Registry();
    const transport = await open(topic, registry);
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;

    await transport.subscribe({
      topic,
      subscription,
      handler: async () => {
        started = true;
        await released;
      },
    });
    await transport.publish(topic, [orderMessage('k', 1)]);
    await waitFor('the handler holds the message', () => started);
    await sleep(50);

    const lag = async () => {
      const metric = await registry.getSingleMetric('messaging_consumer_lag_seconds')?.get();
      return metric?.values.find((value) => value.labels.subscription === subscription)?.value;
    };
    expect(await lag()).toBeGreaterThan(0);
    release();
    await waitFor('the lag returns to zero', async () => (await lag()) === 0);
  });

  it('refuses to publish once closed, with a coded error', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const { topic } = names();
    const transport = await open(topic);

    await transport.close();

    await expect(transport.publish(topic, [orderMessage('k', 1)])).rejects.toMatchObject({
      code: 'MESSAGING_CLOSED',
    });
  });
});
