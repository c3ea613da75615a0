import pg from 'pg';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import {
  type ContractCatalogue,
  OutboxMetrics,
  OutboxRelay,
  type OutgoingMessage,
  type Transport,
  writeToOutbox,
} from '../../src/index.ts';
import { orderMessage, Recorder, testCatalogue, waitFor } from '../contract/test-messages.ts';
import { LoggedLines } from '../logged-lines.ts';
import { consumerRole, producerRole, usePostgresBroker } from '../postgres/postgres-broker.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.ts';

const broker = usePostgresBroker();
let scratch: ScratchDatabase | undefined;

afterEach(async () => {
  await scratch?.drop();
  scratch = undefined;
});

async function commitToOutbox(
  topic: string,
  messages: readonly OutgoingMessage[],
  catalogue: ContractCatalogue,
): Promise<string[]> {
  const client = await (scratch as ScratchDatabase).pool.connect();
  try {
    await client.query('BEGIN');
    const ids = await writeToOutbox(client, 'outbox', topic, messages, catalogue);
    await client.query('COMMIT');
    return ids;
  } finally {
    client.release();
  }
}

async function parkedRows() {
  const result = await (scratch as ScratchDatabase).pool.query<{ id: string; error: string }>(
    'SELECT id, parked_error AS error FROM outbox WHERE parked_at IS NOT NULL ORDER BY position',
  );
  return result.rows;
}

/**
 * Advisory locks held in the scratch database. The server's other databases do not count: test
 * files run side by side, and the postgres broker's claim takes advisory locks of its own.
 */
async function advisoryLocks(): Promise<number> {
  const result = await (scratch as ScratchDatabase).pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return result.rows[0]?.n ?? 0;
}

/** The transport as it is, noting how many messages each publish call carried. */
function countingPublishes(transport: Transport) {
  const calls: number[] = [];
  const counted: Transport = {
    name: transport.name,
    publish: (topic, messages) => {
      calls.push(messages.length);
      return transport.publish(topic, messages);
    },
    subscribe: (options) => transport.subscribe(options),
    check: () => transport.check(),
    close: () => transport.close(),
  };

  return { transport: counted, calls };
}

describe('outbox writer', () => {
  it('refuses a message any transport would refuse, and writes none of the call', async () => {
    scratch = await createScratchDatabase();
    const topic = 'test.outbox.writer';
    // Kafka's own header names: a relay could only ever fail to publish such a row.
    const reserved = { ...orderMessage('k', 2), attributes: { 'footfall.attempt': '9' } };

    const messages = [orderMessage('k', 1), reserved];
    const client = await scratch.pool.connect();

    try {
      const writing = writeToOutbox(client, 'outbox', topic, messages, testCatalogue(topic));
      await expect(writing).rejects.toMatchObject({
        code: 'MESSAGING_INVALID_ATTRIBUTES',
        message: expect.stringContaining('prefix footfall. is reserved'),
      });
    } finally {
      client.release();
    }
    const written = await scratch.pool.query('SELECT count(*)::int AS n FROM outbox');
    expect(written.rows[0]?.n).toBe(0);
  });
});

describe('outbox relay', () => {
  it('parks the rows it can never publish, once, and publishes the rows around them', async () => {
    scratch = await createScratchDatabase();
    const { topic, subscription } = await broker.freshTopic();
    // A second topic nobody may publish to: a revoked or missing ACL.
    const closedTopic = `${topic}.closed`;
    await broker.provision({ topic: closedTopic, publishers: [], subscriptions: [] });
    const catalogue: ContractCatalogue = [
      ...testCatalogue(topic),
      { topic: closedTopic, type: 'test.order.audited', version: 1, payload: z.unknown() },
    ];
    // The writer still knew this contract; the build that relays has removed it.
    const retiredContract = { topic, type: 'test.order.retired', version: 1, payload: z.unknown() };
    const registry = new Registry();
    const logger = new LoggedLines();
    const { transport } = await broker.open(producerRole, topic, { catalogue });
    const relay = new OutboxRelay({
      pool: scratch.pool,
      table: 'outbox',
      transport,
      logger,
      metrics: new OutboxMetrics(registry),
    });
    const retired = { type: 'test.order.retired', version: 1, key: 'k', payload: {} };
    const audited = { type: 'test.order.audited', version: 1, key: 'k', payload: {} };
    const [first] = await commitToOutbox(topic, [orderMessage('k', 1)], catalogue);
    const [removed] = await commitToOutbox(topic, [retired], [retiredContract]);
    const [third] = await commitToOutbox(topic, [orderMessage('k', 3)], catalogue);
    const [refused] = await commitToOutbox(closedTopic, [audited], catalogue);
    const [last] = await commitToOutbox(topic, [orderMessage('k', 5)], catalogue);
    const { transport: consumer } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();
    await consumer.subscribe({ topic, subscription, handler: recorder.record });

    expect(await relay.relayOnce()).toBe(3);
    expect(await relay.relayOnce()).toBe(0);

    await waitFor('the rows around them are delivered', () => recorder.ids.size === 3);
    expect([...recorder.ids]).toEqual([first, third, last]);
    expect(await parkedRows()).toEqual([
      { id: removed, error: expect.stringMatching(/^MESSAGING_UNKNOWN_CONTRACT: /) },
      { id: refused, error: expect.stringMatching(/^MESSAGING_NOT_PERMITTED: /) },
    ]);
    expect(logger.problems()).toEqual([
      'error: outbox row parked: it cannot be published',
      'error: outbox row parked: it cannot be published',
    ]);
    expect(logger.lines[1]?.details).toMatchObject({ table: 'outbox', id: refused });
    expect(await registry.metrics()).toContain('messaging_outbox_parked_total{table="outbox"} 2');
  });

  it('parks every row of a topic it may not publish to after one publish call', async () => {
    scratch = await createScratchDatabase();
    const { topic } = await broker.freshTopic();
    await broker.provision({ topic, publishers: [], subscriptions: [] });
    const catalogue = testCatalogue(topic);
    const opened = await broker.open(producerRole, topic, { catalogue });
    const { transport, calls } = countingPublishes(opened.transport);
    const relay = new OutboxRelay({ pool: scratch.pool, table: 'outbox', transport });
    const messages = Array.from({ length: 20 }, (_, n) => orderMessage('k', n));
    const ids = await commitToOutbox(topic, messages, catalogue);

    expect(await relay.relayOnce()).toBe(0);

    expect(calls).toEqual([20]);
    const parked = await parkedRows();
    expect(parked.map((row) => row.id)).toEqual(ids);
    expect(parked.every((row) => row.error.startsWith('MESSAGING_NOT_PERMITTED: '))).toBe(true);
  });

  it('publishes the runs between refused rows in one call each, in order', async () => {
    scratch = await createScratchDatabase();
    const { topic, subscription } = await broker.freshTopic();
    const retiredContract = { topic, type: 'test.order.retired', version: 1, payload: z.unknown() };
    const retired = { type: 'test.order.retired', version: 1, key: 'k', payload: {} };
    const messages = Array.from({ length: 10 }, (_, n) =>
      n === 3 || n === 7 ? retired : orderMessage('k', n),
    );
    const ids = await commitToOutbox(topic, messages, [...testCatalogue(topic), retiredContract]);
    const opened = await broker.open(producerRole, topic, { catalogue: testCatalogue(topic) });
    const { transport, calls } = countingPublishes(opened.transport);
    const relay = new OutboxRelay({ pool: scratch.pool, table: 'outbox', transport });
    const { transport: consumer } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();
    await consumer.subscribe({ topic, subscription, handler: recorder.record });

    expect(await relay.relayOnce()).toBe(8);

    // All ten, refused at row 3: rows 0-2; rows 4-9, refused at row 7: rows 4-6; rows 8-9.
    expect(calls).toEqual([10, 3, 6, 3, 2]);
    expect((await parkedRows()).map((row) => row.id)).toEqual([ids[3], ids[7]]);
    const delivered = ids.filter((_, n) => n !== 3 && n !== 7);
    await waitFor('the other eight are delivered', () => recorder.ids.size === 8);
    expect([...recorder.ids]).toEqual(delivered);
  });

  it('splits a run in halves when the refusal names no row of it', async () => {
    scratch = await createScratchDatabase();
    const { topic } = await broker.freshTopic();
    const catalogue = testCatalogue(topic);
    const pair = [orderMessage('k', 0), orderMessage('k', 1)];
    const [first, second] = await commitToOutbox(topic, pair, catalogue);
    // Written around writeToOutbox, which would have refused it: no id, and no contract.
    const anonymous = { type: 'test.order.retired', version: 1, key: 'k', payload: {} };
    await scratch.pool.query(
      'INSERT INTO outbox (id, topic, message) VALUES (gen_random_uuid(), $1, $2)',
      [topic, anonymous],
    );
    const [last] = await commitToOutbox(topic, [orderMessage('k', 3)], catalogue);
    const opened = await broker.open(producerRole, topic, { catalogue });
    const { transport, calls } = countingPublishes(opened.transport);
    const relay = new OutboxRelay({ pool: scratch.pool, table: 'outbox', transport });

    expect(await relay.relayOnce()).toBe(3);

    expect(calls).toEqual([4, 2, 2, 1, 1]);
    const published = await scratch.pool.query<{ id: string }>(
      'SELECT id FROM outbox WHERE published_at IS NOT NULL ORDER BY position',
    );
    expect(published.rows.map((row) => row.id)).toEqual([first, second, last]);
    expect((await parkedRows()).map((row) => row.error)).toEqual([
      expect.stringMatching(/^MESSAGING_UNKNOWN_CONTRACT: /),
    ]);
  });

  it('publishes a parked row an operator released with the documented SQL', async () => {
    scratch = await createScratchDatabase();
    const { topic, subscription } = await broker.freshTopic();
    const catalogue = testCatalogue(topic);
    await broker.provision({
      topic,
      publishers: [],
      subscriptions: [{ name: subscription, consumers: [consumerRole] }],
    });
    const { transport } = await broker.open(producerRole, topic, { catalogue });
    const relay = new OutboxRelay({ pool: scratch.pool, table: 'outbox', transport });
    const [id] = await commitToOutbox(topic, [orderMessage('k', 1)], catalogue);
    expect(await relay.relayOnce()).toBe(0);
    expect(await parkedRows()).toHaveLength(1);

    await broker.provision({
      topic,
      publishers: [producerRole],
      subscriptions: [{ name: subscription, consumers: [consumerRole] }],
    });
    await scratch.pool.query(releaseParkedRow, [id]);
    const { transport: consumer } = await broker.open(consumerRole, topic);
    const recorder = new Recorder();
    await consumer.subscribe({ topic, subscription, handler: recorder.record });

    expect(await relay.relayOnce()).toBe(1);
    await waitFor('the released row is delivered', () => recorder.ids.has(id ?? ''));
    expect(await parkedRows()).toEqual([]);
  });

  it('waits longer after each failed round, and ignores nudges while it waits', async () => {
    scratch = await createScratchDatabase();
    const { topic } = await broker.freshTopic();
    const catalogue = testCatalogue(topic);
    const { transport } = await broker.open(producerRole, topic, { catalogue });
    await commitToOutbox(topic, [orderMessage('k', 1)], catalogue);
    // A closed transport refuses every publish with an error that may pass: never parked.
    await transport.close();
    const failedAt: number[] = [];
    const logger = new LoggedLines();
    logger.error = () => {
      failedAt.push(performance.now());
    };
    const relay = new OutboxRelay({
      pool: scratch.pool,
      table: 'outbox',
      transport,
      logger,
      pollIntervalMs: 20,
    });
    onTestFinished(() => relay.stop());

    relay.start();
    const nudging = setInterval(() => relay.nudge(), 5);
    onTestFinished(() => clearInterval(nudging));
    await waitFor('five rounds have failed', () => failedAt.length >= 5);

    const gaps = failedAt.slice(1, 5).map((at, n) => at - (failedAt[n] ?? 0));
    // After the nth failure the relay waits 20 ms * 2^n: 40, 80, 160 and 320 ms.
    gaps.forEach((gap, n) => {
      expect(gap, `wait after failure ${n + 1}`).toBeGreaterThanOrEqual(20 * 2 ** (n + 1) - 2);
    });
    expect(await parkedRows()).toEqual([]);
  });

  it('gives up on a publish that hangs, ending its transaction and lock', async () => {
    scratch = await createScratchDatabase();
    const { topic } = await broker.freshTopic();
    const catalogue = testCatalogue(topic);
    const { transport } = await broker.open(producerRole, topic, { catalogue });
    await commitToOutbox(topic, [orderMessage('k', 1)], catalogue);
    // The broker's messages table locked by an admin: every publish waits for the lock.
    const admin = new pg.Client({ connectionString: broker.adminUrl() });
    await admin.connect();
    onTestFinished(() => admin.end());
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE messaging.messages IN ACCESS EXCLUSIVE MODE');
    const relay = new OutboxRelay({
      pool: scratch.pool,
      table: 'outbox',
      transport,
      publishTimeoutMs: 300,
    });

    await expect(relay.relayOnce()).rejects.toMatchObject({ code: 'MESSAGING_PUBLISH_TIMEOUT' });
    expect(await advisoryLocks()).toBe(0);

    await admin.query('ROLLBACK');
    await waitFor('the row is published and marked', async () => (await relay.relayOnce()) === 1);
  });

  it('drops a connection whose ROLLBACK failed instead of pooling it mid-transaction', async () => {
    scratch = await createScratchDatabase();
    const { topic } = await broker.freshTopic();
    const catalogue = testCatalogue(topic);
    const { transport } = await broker.open(producerRole, topic, { catalogue });
    await commitToOutbox(topic, [orderMessage('k', 1)], catalogue);
    // Marking the row sent waits for this lock, and the relay's pool gives up on any statement
    // after a second: on the UPDATE, then on the ROLLBACK queued behind it.
    const locker = new pg.Client({ connectionString: scratch.url });
    const pool = new pg.Pool({ connectionString: scratch.url, max: 1, query_timeout: 1_000 });
    const relay = new OutboxRelay({ pool, table: 'outbox', transport });
    await locker.connect();

    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE outbox IN EXCLUSIVE MODE');
      await expect(relay.relayOnce()).rejects.toThrow('Query read timeout');
      await locker.query('ROLLBACK');

      // A pooled connection would still be inside the round's transaction, holding its lock.
      await waitFor('the round holds no lock', async () => (await advisoryLocks()) === 0, 5_000);
      expect(pool.totalCount).toBe(0);
    } finally {
      // Before the scratch database is dropped, which would cut these connections off.
      await Promise.all([locker.end(), pool.end()]);
    }
  });
});

// docs/messaging.md, "When the relay cannot publish": release one row for the next round.
const releaseParkedRow = 'UPDATE outbox SET parked_at = NULL, parked_error = NULL WHERE id = $1';
