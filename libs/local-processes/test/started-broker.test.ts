import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { findFreePort } from '@footfall/local-postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startKafkaBroker } from '../src/kafka-broker.ts';
import { startPubSubEmulator } from '../src/pubsub-emulator.ts';

// The deploy scripts look for java, mvn and the Cloud SDK on the test process's PATH.
const env = process.env;
// Starting real brokers costs a JVM each; the run that may start brokers (.ci/run) proves it.
const mayStart = env.TEST_START_BROKERS === 'true';
const startTitle = mayStart ? '' : ' (skipped: set TEST_START_BROKERS=true)';

async function listening(server: Server): Promise<number> {
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function emulatorAnswers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`).then(
    (response) => response.ok,
    () => false,
  );
}

describe('brokers a test run finds running', () => {
  it('uses a Kafka broker that already answers and never stops it', async () => {
    const port = await listening(createServer((socket) => socket.end()));

    const broker = await startKafkaBroker({ address: `127.0.0.1:${port}`, env });
    await broker.stop();

    expect(broker).toMatchObject({ address: `127.0.0.1:${port}`, startedHere: false });
    expect(await accepts(port)).toBe(true);
  });

  it('uses a Pub/Sub emulator that already answers and never stops it', async () => {
    const server = createHttpServer((_request, response) => response.end('Ok'));
    const port = await listening(server);

    const emulator = await startPubSubEmulator({ host: `127.0.0.1:${port}`, env });
    await emulator.stop();

    expect(emulator.startedHere).toBe(false);
    expect(await emulatorAnswers(port)).toBe(true);
  });

  it('refuses to start anything away from this machine', async () => {
    await expect(startKafkaBroker({ address: 'kafka.invalid:9092', env })).rejects.toThrow(
      TypeError,
    );
  });
});

describe.skipIf(!mayStart)(`brokers a test run starts${startTitle}`, () => {
  it('starts a Kafka broker where none answers, and stops it', async () => {
    const port = await findFreePort();
    let controllerPort = await findFreePort();
    while (controllerPort === port) controllerPort = await findFreePort();

    const broker = await startKafkaBroker({ address: `127.0.0.1:${port}`, controllerPort, env });
    onTestFinished(() => broker.stop());

    expect(broker.startedHere).toBe(true);
    expect(await accepts(port)).toBe(true);
    await broker.stop();
    expect(await accepts(port)).toBe(false);
  }, 120_000);

  it('starts a Pub/Sub emulator where none answers, and stops it', async () => {
    const port = await findFreePort();

    const emulator = await startPubSubEmulator({ host: `127.0.0.1:${port}`, env });
    onTestFinished(() => emulator.stop());

    expect(emulator.startedHere).toBe(true);
    expect(await emulatorAnswers(port)).toBe(true);
    await emulator.stop();
    expect(await emulatorAnswers(port)).toBe(false);
  }, 60_000);
});
