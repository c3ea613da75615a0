import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContractCatalogue,
  idempotentHandler,
  MessagingMetrics,
  OutboxRelay,
  type OutgoingMessage,
  type Transport,
  writeToOutbox,
} from '../../src/index.ts';
import { LoggedLines } from '../logged-lines.ts';
import { createScratchDatabase, type ScratchDatabase } from '../outbox/scratch-database.ts';
import type { ContractHarness } from './contract-harness.ts';
import { scrapeMetric } from './scraped-metric.ts';
import {
  orderMessage,
  permissiveCatalogue,
  Recorder,
  testCatalogue,
  testMessageType,
  uniqueName,
  waitFor,
} from './test-messages.ts';

const fixture = join(import.meta.dirname, '../fixtures/consumer-process.ts');
const fastRetry = { initialBackoffMs: 50, maxBackoffMs: 200 };
// Long enough that a redelivery which skipped its backoff (or waited only for a postgres poll,
// 200 ms here) shows up as too short a gap.
const slowRetry = { maxAttempts: 5, initialBackoffMs: 1_000, maxBackoffMs: 4_000 };

/**
 * The guarantees every transport must give, run against a real broker. Each test gets its own
 * topic and subscription, and closes every transport it opened.
 */
export function describeTransportContract(harness: ContractHarness): void {
  let unavailable: string | undefined;
  const opened: Transport[] = [];

  beforeAll(async () => {
    unavailable = await harness.unavailable();
    if (unavailable !== undefined) {
      process.stdout.write(`[${harness.name} contract] skipped: ${unavailable}\n`);
    }
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  async function open(
    catalogue: ContractCatalogue,
    registry = new Registry(),
    logger = new LoggedLines(),
  ) {
    const transport = await harness.createTransport({
      metrics: new MessagingMetrics(registry),
      catalogue,
      logger,
    });
    opened.push(transport);
    return transport;
  }

  async function freshTopic(subscriptions = 1) {
    const topic = uniqueName('contract');
    const names = Array.from({ length: subscriptions }, () => uniqueName('sub'));
    await harness.provision(topic, names);
    return { topic, subscription: names[0] ?? '', catalogue: testCatalogue(topic) };
  }

  describe(`${harness.name} transport contract`, () => {
    it('delivers each published message and counts it', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const registry = new Registry();
      const transport = await open(catalogue, registry);
      const recorder = new Recorder();

      await transport.subscribe({ topic, subscription, handler: recorder.record });
      const ids = await transport.publish(
        topic,
        range(20).map((n) => orderMessage(`k${n % 4}`, n)),
      );

      await waitFor('all 20 are handled', () => recorder.ids.size === 20);
      expect([...recorder.ids].sort()).toEqual([...ids].sort());
      expect(recorder.deliveries.every((d) => d.envelope.type === testMessageType)).toBe(true);

      const labels = { topic, subscription };
      expect(await scrapeMetric(registry, 'messaging_published_total', { topic })).toBe(20);
      expect(await scrapeMetric(registry, 'messaging_delivered_total', labels)).toBe(20);
      await waitFor(
        'acknowledgements are counted',
        async () => (await scrapeMetric(registry, 'messaging_acknowledged_total', labels)) === 20,
      );
    });

    it('keeps the order of messages that share a key, with several keys at once', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const transport = await open(catalogue);
      const recorder = new Recorder();
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];

      // Recorded as each handler finishes, after a random pause, so two messages of a key handled
      // at once would be recorded out of order (Pub/Sub's client hands a key's messages over
      // without waiting: only the transport's queue per key keeps them in sequence).
      await transport.subscribe({
        topic,
        subscription,
        handler: recorder.recordAfterPause(10),
        concurrency: 4,
      });
      for (const batch of range(5)) {
        const messages = keys.flatMap((key) =>
          range(6).map((n) => orderMessage(key, batch * 6 + n)),
        );
        await transport.publish(topic, messages);
      }

      await waitFor('all 180 are handled', () => recorder.ids.size === 180);
      await sleep(200);
      // Every delivery, not only the first of each message: none is handled twice either.
      for (const key of keys) {
        const sequences = recorder.deliveries
          .filter((delivery) => delivery.envelope.key === key)
          .map((delivery) => (delivery.envelope.payload as { sequence: number }).sequence);
        expect(sequences, `key ${key}`).toEqual(range(30));
      }
    });

    it('redelivers a message whose handler failed, with the next attempt number', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const transport = await open(catalogue);
      const attempts: { attempt: number; at: number }[] = [];

      await transport.subscribe({
        topic,
        subscription,
        retry: slowRetry,
        handler: async (message) => {
          attempts.push({ attempt: message.attempt, at: performance.now() });
          if (message.attempt < 3) throw new Error('transient failure');
        },
      });
      await transport.publish(topic, [orderMessage('k', 1)]);

      await waitFor('the third attempt succeeds', () => attempts.length === 3, 60_000);
      await sleep(300);
      expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
      if (!harness.honoursBackoff) return;

      // The backoff doubles from 1 s and has up to 20% jitter: at least 0.8 s, then 1.6 s.
      const gaps = attempts.slice(1).map((entry, index) => entry.at - (attempts[index]?.at ?? 0));
      expect(gaps[0], 'gap after the first failure').toBeGreaterThanOrEqual(800);
      expect(gaps[1], 'gap after the second failure').toBeGreaterThanOrEqual(1_600);
    });

    it('dead-letters a message after the configured attempts, with the reason', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const transport = await open(catalogue);
      let attempts = 0;

      await transport.subscribe({
        topic,
        subscription,
        retry: { ...fastRetry, maxAttempts: 2 },
        handler: async () => {
          attempts += 1;
          throw new Error('permanent failure');
        },
      });
      const [id] = await transport.publish(topic, [orderMessage('k', 1)]);

      await waitFor(
        'it is dead-lettered',
        async () => {
          const letters = await harness.readDeadLetters(topic, subscription);
          return letters.some((letter) => letter.id === id && letter.reason === 'handler-failed');
        },
        60_000,
      );
      expect(attempts).toBe(2);
    });

    it('dead-letters invalid and unknown messages at once, without blocking others', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const producer = await open(permissiveCatalogue(topic));
      const registry = new Registry();
      const consumer = await open(catalogue, registry);
      const recorder = new Recorder();

      await consumer.subscribe({ topic, subscription, handler: recorder.record });
      const invalid: OutgoingMessage = { ...orderMessage('k', 0), payload: { sequence: 'x' } };
      const unknown: OutgoingMessage = { ...orderMessage('k', 0), version: 2 };
      const [invalidId, unknownId, validId] = await producer.publish(topic, [
        invalid,
        unknown,
        orderMessage('k', 3),
      ]);

      await waitFor('the valid message is handled', () => recorder.ids.has(validId ?? ''));
      await waitFor('both bad messages are dead-lettered', async () => {
        const letters = await harness.readDeadLetters(topic, subscription);
        const reasons = new Map(letters.map((letter) => [letter.id, letter.reason]));
        return (
          reasons.get(invalidId) === 'invalid-payload' &&
          reasons.get(unknownId) === 'unknown-contract'
        );
      });
      expect(recorder.ids.has(invalidId ?? '')).toBe(false);

      const labels = { topic, subscription };
      const deadLettered = (reason: string) =>
        scrapeMetric(registry, 'messaging_dead_lettered_total', { ...labels, reason });
      expect(await deadLettered('invalid-payload')).toBe(1);
      expect(await deadLettered('unknown-contract')).toBe(1);
      expect(await scrapeMetric(registry, 'messaging_delivered_total', labels)).toBe(1);
    });

    it('refuses an oversize message with a coded error and sends nothing', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, catalogue } = await freshTopic();
      const transport = await open(catalogue);
      const huge = orderMessage('k', 1, 'x'.repeat(300 * 1024));

      await expect(transport.publish(topic, [huge])).rejects.toMatchObject({
        code: 'MESSAGING_MESSAGE_TOO_LARGE',
      });
    });

    it('shares one subscription between two consumers instead of copying it', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const [first, second] = [await open(catalogue), await open(catalogue)];
      const recorders = [new Recorder(), new Recorder()];
      const slowly = (recorder: Recorder) => async (message: Parameters<Recorder['record']>[0]) => {
        await sleep(20);
        await recorder.record(message);
      };

      // More messages than a postgres claim takes (100), each with a key of its own, so neither
      // consumer can hold them all; on Kafka the keys cover every partition.
      await first.subscribe({ topic, subscription, handler: slowly(recorders[0] as Recorder) });
      await second.subscribe({ topic, subscription, handler: slowly(recorders[1] as Recorder) });
      const ids = await first.publish(
        topic,
        range(120).map((n) => orderMessage(`k${n}`, n)),
      );

      const handled = () => new Set(recorders.flatMap((recorder) => [...recorder.ids]));
      await waitFor('every message is handled by one of them', () => handled().size === 120);
      await sleep(500);
      expect([...handled()].sort()).toEqual([...ids].sort());
      const counts = recorders.map((recorder) => recorder.deliveries.length);
      expect(counts[0], 'messages the first consumer handled').toBeGreaterThan(0);
      expect(counts[1], 'messages the second consumer handled').toBeGreaterThan(0);
      // Every transport documents duplicates only after a failure, a lost consumer or (Kafka) a
      // rebalance. Nothing fails here, nobody is lost, and a Kafka subscribe resolves once its
      // consumer has joined the group, so the rebalance is over before the publish.
      expect(duplicatesOf(recorders), 'messages handled more than once').toEqual([]);
    });

    it('finishes in-flight handlers on close and loses nothing', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const transport = await open(catalogue);
      const started: string[] = [];
      const finished: string[] = [];

      const subscriptionHandle = await transport.subscribe({
        topic,
        subscription,
        handler: async (message) => {
          started.push(message.envelope.id);
          await sleep(300);
          finished.push(message.envelope.id);
        },
      });
      const ids = await transport.publish(
        topic,
        range(10).map((n) => orderMessage('k', n)),
      );
      await waitFor('a handler is running', () => started.length > 0);
      await subscriptionHandle.close();

      expect(finished).toEqual(started);
      const rest = new Recorder();
      const successor = await open(catalogue);
      await successor.subscribe({ topic, subscription, handler: rest.record });
      await waitFor('the rest are handled by the next consumer', () =>
        ids.every((id) => finished.includes(id) || rest.ids.has(id)),
      );
    });

    it('leaves no consumer behind when close() begins while subscribe() is opening', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const logger = new LoggedLines();
      const transport = await open(catalogue, new Registry(), logger);
      const closedOne = new Recorder();

      const subscribing = transport.subscribe({ topic, subscription, handler: closedOne.record });
      const closing = transport.close();

      await expect(subscribing).rejects.toMatchObject({ code: 'MESSAGING_CLOSED' });
      await closing;
      const next = await open(catalogue);
      const successor = new Recorder();
      await next.subscribe({ topic, subscription, handler: successor.record });
      const [id] = await next.publish(topic, [orderMessage('k', 1)]);

      await waitFor('the successor handles the message', () => successor.ids.has(id ?? ''));
      // A consumer left running would by now have taken a message or warned about its broker.
      await sleep(1_000);
      expect(closedOne.deliveries).toEqual([]);
      expect(logger.problems()).toEqual([]);
    });

    it('refuses subscribe, publish and check once closed, with a coded error', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const transport = await open(catalogue);
      await expect(transport.check()).resolves.toBeUndefined();
      await transport.close();

      const closed = { code: 'MESSAGING_CLOSED' };
      await expect(transport.check()).rejects.toMatchObject(closed);
      const handler = async () => {};
      await expect(transport.subscribe({ topic, subscription, handler })).rejects.toMatchObject(
        closed,
      );
      await expect(transport.publish(topic, [orderMessage('k', 1)])).rejects.toMatchObject(closed);
    });

    it('loses nothing when a consumer process is killed mid-batch', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const { topic, subscription, catalogue } = await freshTopic();
      const producer = await open(catalogue);
      const child = startConsumerProcess(harness, topic, subscription);

      await child.subscribed;
      const ids = await producer.publish(
        topic,
        range(20).map((n) => orderMessage(`k${n % 2}`, n)),
      );
      await waitFor('the process has handled a few', () => child.handled.size >= 3);
      child.kill();

      const rest = new Recorder();
      const successor = await open(catalogue);
      await successor.subscribe({ topic, subscription, handler: rest.record });
      const handled = () => ids.filter((id) => child.handled.has(id) || rest.ids.has(id));
      await waitFor(
        'every message is handled by the killed process or its successor',
        () => handled().length === ids.length,
        90_000,
        () =>
          `${handled().length} of ${ids.length} handled, ${child.handled.size} by the killed process`,
      );
    }, 120_000);

    describe('transactional outbox', () => {
      let scratch: ScratchDatabase | undefined;

      afterEach(async () => {
        await scratch?.drop();
        scratch = undefined;
      });

      async function commitToOutbox(database: ScratchDatabase, topic: string, count: number) {
        const client = await database.pool.connect();
        try {
          await client.query('BEGIN');
          const messages = range(count).map((n) => orderMessage(`k${n % 3}`, n));
          const ids = await writeToOutbox(client, 'outbox', topic, messages, testCatalogue(topic));
          await client.query('COMMIT');
          return ids;
        } finally {
          client.release();
        }
      }

      it('has exactly one effect when the relay crashes between publishing and marking sent', async (context) => {
        if (unavailable) return context.skip(unavailable);
        const { topic, subscription, catalogue } = await freshTopic();
        scratch = await createScratchDatabase();
        const database = scratch;
        const transport = await open(catalogue);
        const recordEffect = idempotentHandler(
          database.pool,
          'processed_messages',
          async (client, message) => {
            await client.query('INSERT INTO effects (message_id) VALUES ($1)', [
              message.envelope.id,
            ]);
          },
        );

        await transport.subscribe({ topic, subscription, handler: recordEffect });
        const ids = await commitToOutbox(database, topic, 5);
        const crashing = new OutboxRelay({
          pool: database.pool,
          table: 'outbox',
          transport,
          afterPublish: async () => {
            throw new Error('simulated crash after publishing');
          },
        });
        await expect(crashing.relayOnce()).rejects.toThrow('simulated crash');

        const relay = new OutboxRelay({ pool: database.pool, table: 'outbox', transport });
        expect(await relay.relayOnce()).toBe(5);
        expect(await relay.relayOnce()).toBe(0);

        await waitFor('every message is processed', async () => {
          const processed = await database.pool.query(
            'SELECT count(*)::int AS n FROM processed_messages',
          );
          return processed.rows[0]?.n === 5;
        });
        await sleep(500);
        const effects = await database.pool.query<{ message_id: string }>(
          'SELECT message_id FROM effects',
        );
        expect(effects.rows.map((row) => row.message_id).sort()).toEqual([...ids].sort());
      }, 90_000);

      it('publishes each message once when several relays run at the same time', async (context) => {
        if (unavailable) return context.skip(unavailable);
        const { topic, subscription, catalogue } = await freshTopic();
        scratch = await createScratchDatabase();
        const database = scratch;
        const transport = await open(catalogue);
        const recorder = new Recorder();

        await transport.subscribe({ topic, subscription, handler: recorder.record });
        const ids = await commitToOutbox(database, topic, 60);
        const relays = range(3).map(
          () => new OutboxRelay({ pool: database.pool, table: 'outbox', transport, batchSize: 7 }),
        );
        // Each relay keeps going until the outbox is empty: a relay that loses the lock returns
        // at once, so a fixed number of rounds could run out while the lock holder publishes.
        await Promise.all(relays.map((relay) => drainOutbox(database, relay)));

        await waitFor(
          'all 60 are handled',
          () => recorder.ids.size === 60,
          60_000,
          () => `${recorder.ids.size} of 60 handled`,
        );
        await sleep(500);
        expect(recorder.deliveries).toHaveLength(60);
        expect([...recorder.ids].sort()).toEqual([...ids].sort());
      }, 90_000);
    });
  });
}

async function drainOutbox(database: ScratchDatabase, relay: OutboxRelay): Promise<void> {
  const unpublished = async () => {
    const result = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    return result.rows[0]?.n ?? 0;
  };

  await waitFor('the outbox is drained', async () => {
    await relay.relayOnce();
    return (await unpublished()) === 0;
  });
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

/** Envelope ids that reached a handler more than once, across all the recorders. */
function duplicatesOf(recorders: readonly Recorder[]): string[] {
  const ids = recorders.flatMap((recorder) => recorder.deliveries.map((d) => d.envelope.id));
  return ids.filter((id, index) => ids.indexOf(id) !== index);
}

function startConsumerProcess(harness: ContractHarness, topic: string, subscription: string) {
  const child = spawn(process.execPath, [fixture], {
    env: {
      PATH: process.env.PATH ?? '',
      ...harness.processEnvironment(),
      TEST_TOPIC: topic,
      TEST_SUBSCRIPTION: subscription,
      TEST_HANDLER_DELAY_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const handled = new Set<string>();
  let markSubscribed: () => void = () => {};
  const subscribed = new Promise<void>((resolve) => {
    markSubscribed = resolve;
  });

  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as { handled?: string; subscribed?: boolean };
    if (event.handled !== undefined) handled.add(event.handled);
    if (event.subscribed) markSubscribed();
  });

  return { handled, subscribed, kill: () => child.kill('SIGKILL') };
}
