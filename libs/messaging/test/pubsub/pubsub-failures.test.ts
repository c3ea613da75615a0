import { findFreePort } from '@footfall/local-postgres';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessagingMetrics, type Transport } from '../../src/index.ts';
import { createPubSubTransport } from '../../src/pubsub/index.ts';
import { testCatalogue, uniqueName } from '../contract/test-messages.ts';
import { PubSubTestEmulator, testProjectId } from './pubsub-test-emulator.ts';

const emulator = new PubSubTestEmulator();
const opened: Transport[] = [];
let unavailable: string | undefined;

beforeAll(async () => {
  unavailable = await emulator.unavailable();
  if (unavailable !== undefined)
    process.stdout.write(`[pubsub failures] skipped: ${unavailable}\n`);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
});

afterAll(() => emulator.close());

function options(topic: string, apiEndpoint: string) {
  return {
    metrics: new MessagingMetrics(new Registry()),
    catalogue: testCatalogue(topic),
    projectId: testProjectId,
    apiEndpoint,
  };
}

async function open(topic: string) {
  const transport = await createPubSubTransport(options(topic, emulator.host));
  opened.push(transport);
  return transport;
}

describe('Pub/Sub transport failures', () => {
  it('fails at start-up, with a coded error, when the emulator is unreachable', async () => {
    const endpoint = `127.0.0.1:${await findFreePort()}`;
    const starting = createPubSubTransport({ ...options('t', endpoint), connectTimeoutMs: 1_000 });

    await expect(starting).rejects.toMatchObject({
      code: 'MESSAGING_CONNECTION_FAILED',
      message: expect.stringContaining(endpoint),
    });
  });

  it('refuses to subscribe to a subscription that does not exist', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const topic = uniqueName('pubsub');
    await emulator.provision(topic, []);
    const transport = await open(topic);

    const subscribing = transport.subscribe({
      topic,
      subscription: uniqueName('missing'),
      handler: async () => {},
    });

    await expect(subscribing).rejects.toMatchObject({ code: 'MESSAGING_SUBSCRIPTION_NOT_FOUND' });
  });

  it('refuses to subscribe to a subscription of another topic', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const [topic, other, subscription] = [
      uniqueName('pubsub'),
      uniqueName('other'),
      uniqueName('sub'),
    ];
    await emulator.provision(topic, []);
    await emulator.provision(other, [subscription]);
    const transport = await open(topic);

    const subscribing = transport.subscribe({ topic, subscription, handler: async () => {} });

    await expect(subscribing).rejects.toMatchObject({ code: 'MESSAGING_SUBSCRIPTION_NOT_FOUND' });
  });
});
