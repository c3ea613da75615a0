import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { queryAs } from '@footfall/testing';
import { describe, expect, it } from 'vitest';
import type { DeliveredMessage, OutgoingMessage } from '../../src/index.ts';
import { scrapeMetric } from '../contract/scraped-metric.ts';
import {
  orderMessage,
  permissiveCatalogue,
  Recorder,
  testCatalogue,
  waitFor,
} from '../contract/test-messages.ts';
import { LoggedLines } from '../logged-lines.ts';
import { consumerRole, producerRole, usePostgresBroker } from './postgres-broker.ts';

const broker = usePostgresBroker();
const fastRetry = { initialBackoffMs: 20, maxBackoffMs: 100 };

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function sequencesOf(deliveries: readonly DeliveredMessage[], key: string): number[] {
  return deliveries
    .filter((delivery) => delivery.envelope.key === key)
    .map((delivery) => (delivery.envelope.payload as { sequence: number }).sequence);
}

describe('postgres transport', () => {
  it('carries messages from one service role to another, with ids and attributes', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const { transport: consumer } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();

    await consumer.subscribe({ topic, subscription, handler: recorder.record });
    const tagged: OutgoingMessage = { ...orderMessage('k', 0), attributes: { origin: 'test' } };
    const ids = await producer.publish(topic, [tagged, orderMessage('k', 1)]);

    await waitFor('both are handled', () => recorder.ids.size === 2);
    expect(recorder.deliveries.map((d) => d.envelope.id)).toEqual(ids);
    expect(recorder.deliveries[0]).toMatchObject({
      attempt: 1,
      topic,
      subscription,
      attributes: { origin: 'test' },
    });
    await waitFor('the deliveries are acknowledged', async () => {
      return (await broker.countPending(subscription)) === 0;
    });
  });

  it('keeps order per key across retries, at concurrency 4', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const { transport: consumer } = await broker.open(consumerRole, topic, { batchSize: 7 });
    const handled: DeliveredMessage[] = [];
    const failedOnce = new Set<number>();

    await consumer.subscribe({
      topic,
      subscription,
      concurrency: 4,
      retry: fastRetry,
      handler: async (message) => {
        const { sequence } = message.envelope.payload as { sequence: number };
        // Every fifth message fails once: the rest of its key must wait for it.
        if (sequence % 5 === 2 && !failedOnce.has(sequence)) {
          failedOnce.add(sequence);
          throw new Error('fails once');
        }
        // Recorded on completion after a pause, so two messages of a key run at once would show.
        await sleep(Math.random() * 5);
        handled.push(message);
      },
    });
    for (const batch of range(4)) {
      const messages = ['a', 'b', 'c'].flatMap((key) =>
        range(10).map((n) => orderMessage(key, batch * 10 + n)),
      );
      await producer.publish(topic, messages);
    }

    await waitFor('all 120 are handled', () => handled.length === 120);
    for (const key of ['a', 'b', 'c']) {
      expect(sequencesOf(handled, key), `key ${key}`).toEqual(range(40));
    }
  });

  it('redelivers after a failure with the next attempt number, then acknowledges', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport, registry } = await broker.open(consumerRole, topic);
    const attempts: number[] = [];

    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 5 },
      handler: async (message) => {
        attempts.push(message.attempt);
        if (message.attempt < 3) throw new Error('transient');
      },
    });
    const { transport: producer } = await broker.open(producerRole, topic);
    await producer.publish(topic, [orderMessage('k', 1)]);

    await waitFor('the third attempt succeeds', async () => {
      return (await broker.countPending(subscription)) === 0 && attempts.length === 3;
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(await registry.metrics()).toMatch(/messaging_redelivered_total\{[^}]*\} 2/);
  });

  it('dead-letters after the configured attempts, keeping reason, detail and attempts', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport } = await broker.open(consumerRole, topic);
    const { transport: producer } = await broker.open(producerRole, topic);

    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 3 },
      handler: async () => {
        throw new Error('permanent failure');
      },
    });
    const [id] = await producer.publish(topic, [orderMessage('k', 1)]);

    await waitFor('it is dead-lettered', async () => {
      return (await broker.readDeadLetters(subscription)).length === 1;
    });
    expect(await broker.readDeadLetters(subscription)).toEqual([
      {
        envelopeId: id,
        reason: 'handler-failed',
        detail: 'Error: permanent failure',
        attempts: 3,
      },
    ]);
    expect(await broker.countPending(subscription)).toBe(0);
  });

  it('redelivers a dead letter an operator replays with the documented SQL', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const { transport } = await broker.open(consumerRole, topic);
    let broken = true;
    const recorder = new Recorder();
    await transport.subscribe({
      topic,
      subscription,
      retry: { ...fastRetry, maxAttempts: 1 },
      handler: async (message) => {
        if (broken) throw new Error('not yet fixed');
        await recorder.record(message);
      },
    });
    const [id] = await producer.publish(topic, [orderMessage('k', 1)]);
    await waitFor('it is dead-lettered', async () => {
      return (await broker.readDeadLetters(subscription)).length === 1;
    });

    broken = false;
    await queryAs(broker.ownerUrl(), replayDeadLetters, [subscription]);

    await waitFor('the replayed message is handled', () => recorder.ids.has(id ?? ''));
    expect(await broker.readDeadLetters(subscription)).toEqual([]);
  });

  it('dead-letters an invalid payload at once and goes on with the key', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic, {
      catalogue: permissiveCatalogue(topic),
    });
    const { transport: consumer } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();

    await consumer.subscribe({ topic, subscription, handler: recorder.record });
    const invalid = { ...orderMessage('k', 0), payload: { sequence: 'not a number' } };
    const [invalidId, validId] = await producer.publish(topic, [invalid, orderMessage('k', 1)]);

    await waitFor('the valid one is handled', () => recorder.ids.has(validId ?? ''));
    expect(await broker.readDeadLetters(subscription)).toEqual([
      expect.objectContaining({ envelopeId: invalidId, reason: 'invalid-payload', attempts: 1 }),
    ]);
  });

  it('dead-letters bytes that are not an envelope at once and goes on with the key', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const { transport: consumer, registry } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();

    await consumer.subscribe({ topic, subscription, handler: recorder.record });
    // What a producer that bypasses the library could store: the broker takes any bytes.
    await queryAs(broker.urlOf(producerRole), publishRaw, [topic, 'raw-1', 'k', 'not json']);
    const [validId] = await producer.publish(topic, [orderMessage('k', 1)]);

    await waitFor('the valid one behind it is handled', () => recorder.ids.has(validId ?? ''));
    expect(await broker.readDeadLetters(subscription)).toEqual([
      { envelopeId: 'raw-1', reason: 'malformed', detail: 'not a valid envelope', attempts: 1 },
    ]);
    expect(recorder.deliveries).toHaveLength(1);
    const labels = { topic, subscription, reason: 'malformed' };
    expect(await scrapeMetric(registry, 'messaging_dead_lettered_total', labels)).toBe(1);
  });

  it('counts an acknowledgement only once the broker took it', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const logger = new LoggedLines();
    const { transport, registry } = await broker.open(consumerRole, topic, { logger });
    const { transport: producer } = await broker.open(producerRole, topic);
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
    await producer.publish(topic, [orderMessage('k', 1)]);
    await waitFor('the handler runs', () => started);
    // Taking the right to consume away makes the acknowledgement fail once the handler is done.
    await queryAs(broker.ownerUrl(), 'SELECT messaging.set_consumers($1, $2::name[])', [
      subscription,
      [],
    ]);
    release.resolve();

    await waitFor('the acknowledgement fails', () =>
      logger.problems().some((line) => line.startsWith('warn: acknowledging failed')),
    );
    const labels = { topic, subscription };
    expect(await scrapeMetric(registry, 'messaging_delivered_total', labels)).toBe(1);
    expect(await scrapeMetric(registry, 'messaging_acknowledged_total', labels)).toBe(0);
  });

  it('gives a message whose lease ran out to another consumer, as the next attempt', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const [id] = await producer.publish(topic, [orderMessage('k', 1)]);
    // A consumer that claims with a short lease and then dies: it never settles anything.
    const claimed = await claimAs(consumerRole, subscription, 200);
    expect(claimed).toHaveLength(1);

    const { transport } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();
    await transport.subscribe({ topic, subscription, handler: recorder.record });

    await waitFor('the successor handles it', () => recorder.ids.has(id ?? ''));
    expect(recorder.deliveries.map((d) => d.attempt)).toEqual([2]);
  });

  it('dead-letters a message whose consumers keep dying, after maxAttempts', async () => {
    const { topic, subscription } = await broker.freshTopic(1, 2);
    const { transport: producer } = await broker.open(producerRole, topic);
    const [id] = await producer.publish(topic, [orderMessage('k', 1)]);
    await claimAs(consumerRole, subscription, 50);
    await waitFor('the first lease runs out', async () => {
      return (await claimAs(consumerRole, subscription, 50)).length === 1;
    });

    const reported: unknown[] = [];
    await waitFor('the broker buries it when the second lease runs out', async () => {
      reported.push(...(await claimAs(consumerRole, subscription, 50)));
      return (await broker.readDeadLetters(subscription)).length === 1;
    });
    expect(await broker.readDeadLetters(subscription)).toEqual([
      expect.objectContaining({ envelopeId: id, reason: 'lease-expired', attempts: 2 }),
    ]);
    // The claim that buried it says so, without the message: nobody is to handle it.
    expect(reported).toEqual([
      expect.objectContaining({ attempt: 2, dead_lettered: true, data: null, attributes: null }),
    ]);
  });

  it('counts the dead letters the broker makes itself in the consumer that claimed them', async () => {
    const { topic, subscription } = await broker.freshTopic(1, 2);
    const { transport: producer } = await broker.open(producerRole, topic);
    await producer.publish(topic, [orderMessage('k', 1)]);
    // Two consumers that claim it and die: the second lease has used both attempts.
    await claimAs(consumerRole, subscription, 50);
    await waitFor('the first lease runs out', async () => {
      return (await claimAs(consumerRole, subscription, 50)).length === 1;
    });
    await sleep(100);

    const { transport, registry } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();
    await transport.subscribe({ topic, subscription, handler: recorder.record });

    const labels = { topic, subscription };
    const leaseExpired = { ...labels, reason: 'lease-expired' };
    await waitFor(
      'the dead letter is counted',
      async () =>
        (await scrapeMetric(registry, 'messaging_dead_lettered_total', leaseExpired)) === 1,
    );
    expect(await broker.readDeadLetters(subscription)).toHaveLength(1);
    expect(recorder.deliveries).toEqual([]);
    expect(await scrapeMetric(registry, 'messaging_delivered_total', labels)).toBe(0);
  });

  it('shares a subscription between two consumers, handling each message once', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const consumers = [
      await broker.open(consumerRole, topic, { batchSize: 5 }),
      await broker.open(consumerRole, topic, { batchSize: 5 }),
    ];
    const recorders = [new Recorder(), new Recorder()];
    const byKey: DeliveredMessage[] = [];

    for (const [index, { transport }] of consumers.entries()) {
      const recorder = recorders[index] as Recorder;
      await transport.subscribe({
        topic,
        subscription,
        concurrency: 2,
        handler: async (message) => {
          await sleep(2);
          byKey.push(message);
          await recorder.record(message);
        },
      });
    }
    const ids = await producer.publish(
      topic,
      range(200).map((n) => orderMessage(`k${n % 10}`, n)),
    );

    await waitFor('all 200 are handled', () => byKey.length >= 200);
    const all = recorders.flatMap((recorder) => recorder.deliveries.map((d) => d.envelope.id));
    expect(all.sort()).toEqual([...ids].sort());
    expect(recorders.every((recorder) => recorder.deliveries.length > 0)).toBe(true);
    for (const key of range(10).map((n) => `k${n}`)) {
      const expected = range(200).filter((n) => `k${n % 10}` === key);
      expect(sequencesOf(byKey, key), `key ${key}`).toEqual(expected);
    }
  });

  it('wakes an idle consumer by NOTIFY, long before its next poll', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: consumer } = await broker.open(consumerRole, topic, {
      pollIntervalMs: 600_000,
    });
    const recorder = new Recorder();
    const { transport: producer } = await broker.open(producerRole, topic);
    await consumer.subscribe({ topic, subscription, handler: recorder.record });
    // A first message proves the consumer has claimed once; then it settles into its
    // ten-minute poll, and only a NOTIFY can bring the second within the wait's 30 s.
    const [first] = await producer.publish(topic, [orderMessage('k', 1)]);
    await waitFor('the first is handled', () => recorder.ids.has(first ?? ''));
    await waitFor(
      'it is acknowledged',
      async () => (await broker.countPending(subscription)) === 0,
    );
    await sleep(200);

    const [second] = await producer.publish(topic, [orderMessage('k', 2)]);

    await waitFor('the notified consumer handles it', () => recorder.ids.has(second ?? ''));
  });

  it('finishes the running handler on close and hands the rest back unstarted', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    const { transport } = await broker.open(consumerRole, topic);
    const started: string[] = [];
    const finished: string[] = [];
    const handle = await transport.subscribe({
      topic,
      subscription,
      handler: async (message) => {
        started.push(message.envelope.id);
        await sleep(100);
        finished.push(message.envelope.id);
      },
    });
    await producer.publish(
      topic,
      range(10).map((n) => orderMessage('k', n)),
    );

    await waitFor('a handler runs', () => started.length > 0);
    await handle.close();

    expect(finished).toEqual(started);
    expect(await broker.countPending(subscription)).toBe(10 - finished.length);
    const successor = new Recorder();
    const { transport: next } = await broker.open(consumerRole, topic);
    await next.subscribe({ topic, subscription, handler: successor.record });
    await waitFor('the successor gets the rest at once', () => {
      return successor.ids.size === 10 - finished.length;
    });
    expect(successor.deliveries.every((d) => d.attempt === 1)).toBe(true);
  });

  it('reports the age of the oldest unacknowledged message as lag', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport: producer } = await broker.open(producerRole, topic);
    await producer.publish(topic, [orderMessage('k', 1)]);
    const { transport, registry } = await broker.open(consumerRole, topic);
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });

    await transport.subscribe({ topic, subscription, handler: () => blocked });
    await sleep(50);
    const lag = /messaging_consumer_lag_seconds\{[^}]*\} ([0-9.e-]+)/;
    const during = Number((await registry.metrics()).match(lag)?.[1]);
    release();
    await waitFor(
      'it is acknowledged',
      async () => (await broker.countPending(subscription)) === 0,
    );

    expect(during).toBeGreaterThan(0);
    expect((await registry.metrics()).match(lag)?.[1]).toBe('0');
  });

  it('deletes messages once every subscription is done with them', async () => {
    const { topic, subscriptions } = await broker.freshTopic(2);
    const { transport: producer } = await broker.open(producerRole, topic);
    await producer.publish(topic, [orderMessage('k', 1)]);
    const { transport } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();
    await transport.subscribe({
      topic,
      subscription: subscriptions[0] ?? '',
      handler: recorder.record,
    });
    await waitFor('the first subscription is done', async () => {
      return (await broker.countPending(subscriptions[0] ?? '')) === 0;
    });

    await cleanUpAs(consumerRole);
    expect(await countMessages(topic)).toBe(1);
    await transport.subscribe({
      topic,
      subscription: subscriptions[1] ?? '',
      handler: recorder.record,
    });
    await waitFor('the second subscription is done', async () => {
      return (await broker.countPending(subscriptions[1] ?? '')) === 0;
    });
    await cleanUpAs(consumerRole);
    expect(await countMessages(topic)).toBe(0);
  });

  it('refuses to publish after close, with a coded error', async () => {
    const { topic } = await broker.freshTopic();
    const { transport } = await broker.open(producerRole, topic);
    await transport.close();

    await expect(transport.publish(topic, [orderMessage('k', 1)])).rejects.toMatchObject({
      code: 'MESSAGING_CLOSED',
    });
  });

  it('rejects a concurrency that is not a positive integer as a programming error', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport } = await broker.open(consumerRole, topic, {
      catalogue: testCatalogue(topic),
    });
    const subscribing = transport.subscribe({
      topic,
      subscription,
      concurrency: 0,
      handler: async () => {},
    });

    await expect(subscribing).rejects.toBeInstanceOf(TypeError);
  });
});

async function claimAs(role: string, subscription: string, leaseMs: number) {
  const result = await queryAs(
    broker.urlOf(role),
    'SELECT * FROM messaging.claim($1, $2, 10, $3)',
    [subscription, randomUUID(), leaseMs],
  );

  return result.rows;
}

async function cleanUpAs(role: string): Promise<void> {
  await queryAs(broker.urlOf(role), 'SELECT messaging.cleanup(100000)');
}

async function countMessages(topic: string): Promise<number> {
  const result = await queryAs(
    broker.adminUrl(),
    `SELECT count(*)::int AS n FROM messaging.messages m
     JOIN messaging.topics t ON t.id = m.topic_id WHERE t.name = $1`,
    [topic],
  );

  return result.rows[0]?.n ?? 0;
}

// One message of arbitrary bytes, as messaging.publish stores it (no validation in the broker).
const publishRaw = `SELECT messaging.publish($1, ARRAY[$2::text], ARRAY[$3::text],
  ARRAY[convert_to($4::text, 'UTF8')], ARRAY['{}'::jsonb])`;

// docs/messaging-postgres.md, "Operating it", for every letter of one subscription.
const replayDeadLetters = `
  WITH letter AS (
    DELETE FROM messaging.dead_letters WHERE subscription_id =
      (SELECT id FROM messaging.subscriptions WHERE name = $1)
    RETURNING *
  ),
  message AS (
    INSERT INTO messaging.messages (topic_id, envelope_id, key, data, attributes, published_at)
    SELECT s.topic_id, l.envelope_id, l.key, l.data, l.attributes, l.published_at
    FROM letter l JOIN messaging.subscriptions s ON s.id = l.subscription_id
    RETURNING id, key, envelope_id
  )
  INSERT INTO messaging.deliveries (subscription_id, message_id, key)
  SELECT l.subscription_id, m.id, m.key
  FROM letter l JOIN message m ON m.envelope_id = l.envelope_id`;
