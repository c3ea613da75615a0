import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { orderMessage, Recorder, waitFor } from '../contract/test-messages.ts';
import { LoggedLines } from '../logged-lines.ts';
import { consumerRole, producerRole, usePostgresBroker } from './postgres-broker.ts';

const broker = usePostgresBroker();

describe('postgres transport closing', () => {
  it('leaves no consumer behind when close() begins while subscribe() is opening', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const logger = new LoggedLines();
    const { transport } = await broker.open(consumerRole, topic, { logger });
    const closedOne = new Recorder();

    const subscribing = transport.subscribe({ topic, subscription, handler: closedOne.record });
    const closing = transport.close();

    await expect(subscribing).rejects.toMatchObject({ code: 'MESSAGING_CLOSED' });
    await closing;
    const { transport: producer } = await broker.open(producerRole, topic);
    const [id] = await producer.publish(topic, [orderMessage('k', 1)]);
    const successor = new Recorder();
    const { transport: next } = await broker.open(consumerRole, topic);
    await next.subscribe({ topic, subscription, handler: successor.record });

    await waitFor('the successor handles the message', () => successor.ids.has(id ?? ''));
    // Ten poll intervals: a consumer left running on the ended pool would have warned by now.
    await sleep(1_000);
    expect(closedOne.deliveries).toEqual([]);
    expect(logger.problems()).toEqual([]);
  });

  it('refuses subscribe, publish and check once closed, with a coded error', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport } = await broker.open(consumerRole, topic);
    await expect(transport.check()).resolves.toBeUndefined();
    await transport.close();

    await expect(transport.check()).rejects.toMatchObject({ code: 'MESSAGING_CLOSED' });
    await expect(
      transport.subscribe({ topic, subscription, handler: async () => {} }),
    ).rejects.toMatchObject({ code: 'MESSAGING_CLOSED' });
    await expect(transport.publish(topic, [orderMessage('k', 1)])).rejects.toMatchObject({
      code: 'MESSAGING_CLOSED',
    });
  });
});
