import { afterAll } from 'vitest';
import { createKafkaTransport, transportHeaders } from '../../src/kafka/index.ts';
import type { ContractHarness } from '../contract/contract-harness.ts';
import { describePublishLimitsContract } from '../contract/publish-limits-contract.ts';
import { describeTransportContract } from '../contract/transport-contract.ts';
import { KafkaTestBroker, type ReadMessage } from './kafka-test-broker.ts';

// Short enough that a killed consumer's partitions move on within the suite's bounds.
const sessionTimeoutMs = 10_000;
const broker = new KafkaTestBroker();

afterAll(() => broker.close());

const harness: ContractHarness = {
  name: 'kafka',
  honoursBackoff: true,
  unavailable: () => broker.unavailable(),
  createTransport: (dependencies) =>
    createKafkaTransport({
      ...dependencies,
      brokers: broker.brokers.split(','),
      clientId: 'kafka-contract-test',
      sessionTimeoutMs,
    }),
  provision: (topic, subscriptions) => broker.provision(topic, subscriptions),
  processEnvironment: () => ({
    MESSAGING_TRANSPORT: 'kafka',
    KAFKA_BROKERS: broker.brokers,
    KAFKA_CLIENT_ID: 'kafka-contract-process',
    MESSAGING_CONSUMER_TIMEOUT_MS: String(sessionTimeoutMs),
  }),
  readDeadLetters: async (topic, subscription) =>
    (await broker.readDeadLetters(topic, subscription)).map(toDeadLetter),
};

describeTransportContract(harness);
describePublishLimitsContract(harness);

function toDeadLetter(message: ReadMessage) {
  return {
    id: envelopeId(message.value),
    reason: message.headers[transportHeaders.deadLetterReason] ?? '',
  };
}

function envelopeId(value: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    return typeof parsed === 'object' && parsed !== null && 'id' in parsed
      ? String(parsed.id)
      : undefined;
  } catch {
    return undefined;
  }
}
