/**
 * Vitest global setup for the messaging suites' brokers. With TEST_START_BROKERS=true (what
 * .ci/run sets) it makes sure the Kafka broker at KAFKA_BROKERS (its first address) and the
 * Pub/Sub emulator at PUBSUB_EMULATOR_HOST answer, starting each through its deploy script when
 * nothing answers there, and teardown stops only those it started. Without the variable it does
 * nothing: the suites use whatever answers and are skipped where nothing does.
 */
import {
  defaultKafkaBrokers,
  defaultPubSubEmulatorHost,
  type StartedBroker,
  startKafkaBroker,
  startPubSubEmulator,
} from '@footfall/local-processes';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.TEST_START_BROKERS !== 'true') return async () => {};

  const kafka = process.env.KAFKA_BROKERS?.split(',')[0]?.trim() || defaultKafkaBrokers;
  const pubsub = process.env.PUBSUB_EMULATOR_HOST || defaultPubSubEmulatorHost;
  const options = { env: process.env, note: say };
  const brokers = await startAll([
    ['Kafka broker', () => startKafkaBroker({ ...options, address: kafka })],
    ['Pub/Sub emulator', () => startPubSubEmulator({ ...options, host: pubsub })],
  ]);

  return async () => {
    await Promise.all(brokers.map(({ broker }) => broker.stop()));
    for (const { name, broker } of brokers) {
      if (broker.startedHere) say(`stopped the ${name} it started at ${broker.address}`);
    }
  };
}

type Start = readonly [name: string, start: () => Promise<StartedBroker>];

// Both or neither: one that started is stopped again when the other fails.
async function startAll(starts: readonly Start[]) {
  const results = await Promise.allSettled(starts.map(([, start]) => start()));
  const brokers = results.flatMap((result, index) =>
    result.status === 'fulfilled' ? [{ name: starts[index]?.[0] ?? '', broker: result.value }] : [],
  );
  const failure = results.find((result) => result.status === 'rejected');

  if (failure !== undefined) {
    await Promise.allSettled(brokers.map(({ broker }) => broker.stop()));
    throw failure.reason;
  }

  for (const { name, broker } of brokers) {
    const how = broker.startedHere ? 'started' : 'found running (left alone)';
    say(`${name} ${how} at ${broker.address}`);
  }
  return brokers;
}

function say(message: string): void {
  process.stdout.write(`[footfall test brokers] ${message}\n`);
}
