import { connect, createServer, type Socket } from 'node:net';
import { findFreePort } from '@footfall/local-postgres';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { TopicCreator } from '../../src/kafka/kafka-topic-creator.ts';
import { uniqueName } from '../contract/test-messages.ts';
import { KafkaTestBroker } from './kafka-test-broker.ts';

const broker = new KafkaTestBroker();
const unavailable = await broker.unavailable();
const title = `kafka topic creator${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`;

/** Starts passing connections on `port` through to the broker: the broker coming back up. */
async function forwardTo(port: number, target: string): Promise<() => Promise<void>> {
  const [host, targetPort] = target.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host, port: Number(targetPort) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}

describe.skipIf(unavailable !== undefined)(title, () => {
  afterAll(() => broker.close());

  it('connects again after a failed connection instead of keeping the failure', async () => {
    const port = await findFreePort();
    const kafka = new Kafka({
      clientId: 'topic-creator-test',
      brokers: [`127.0.0.1:${port}`],
      // Fails the first connection within seconds; enough tries to wait for the new leaders.
      retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });
    const creator = new TopicCreator(kafka.admin());
    onTestFinished(() => creator.close());
    const topic = uniqueName('created');

    await expect(creator.ensure([topic])).rejects.toThrow();
    const stopForwarding = await forwardTo(port, broker.brokers.split(',')[0] ?? '');
    onTestFinished(stopForwarding);
    await creator.ensure([topic]);

    expect(await broker.messageCount(topic)).toBe(0);
  });
});
