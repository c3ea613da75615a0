import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessagingMetrics, type Transport } from '../../src/index.ts';
import { createPubSubTransport } from '../../src/pubsub/index.ts';
import {
  orderMessage,
  Recorder,
  testCatalogue,
  uniqueName,
  waitFor,
} from '../contract/test-messages.ts';
import { LoggedLines } from '../logged-lines.ts';
import { PubSubTestEmulator, testProjectId } from './pubsub-test-emulator.ts';

const emulator = new PubSubTestEmulator();
const opened: Transport[] = [];
let unavailable: string | undefined;

beforeAll(async () => {
  unavailable = await emulator.unavailable();
  if (unavailable !== undefined) process.stdout.write(`[pubsub closing] skipped: ${unavailable}\n`);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
});

afterAll(() => emulator.close());

async function open(topic: string, logger = new LoggedLines()) {
  const transport = await createPubSubTransport({
    metrics: new MessagingMetrics(new Registry()),
    catalogue: testCatalogue(topic),
    projectId: testProjectId,
    apiEndpoint: emulator.host,
    createTopology: true,
    logger,
  });
  opened.push(transport);
  return transport;
}

describe('Pub/Sub transport closing', () => {
  it('leaves no consumer behind when close() begins during subscribe()', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const [topic, subscription] = [uniqueName('pubsub'), uniqueName('sub')];
    const logger = new LoggedLines();
    const transport = await open(topic, logger);
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
    await sleep(1_000);
    expect(closedOne.deliveries).toEqual([]);
    expect(logger.problems()).toEqual([]);
  });
});
