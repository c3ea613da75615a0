import { createKafkaTransport } from './kafka/kafka-transport.ts';
import type { TransportDependencies } from './message.ts';
import type { MessagingConfig } from './messaging-config.ts';
import { createPostgresTransport } from './postgres/postgres-transport.ts';
import { createPubSubTransport } from './pubsub/pubsub-transport.ts';
import type { Transport } from './transport.ts';

/** Builds the transport the configuration names; the one switch between the three. */
export async function createTransport(
  config: MessagingConfig,
  dependencies: TransportDependencies,
): Promise<Transport> {
  switch (config.MESSAGING_TRANSPORT) {
    case 'postgres':
      return createPostgresTransport({
        ...dependencies,
        connectionString: required(config.MESSAGING_DATABASE_URL, 'MESSAGING_DATABASE_URL'),
        visibilityTimeoutMs: config.MESSAGING_CONSUMER_TIMEOUT_MS,
      });
    case 'pubsub':
      return createPubSubTransport({
        ...dependencies,
        projectId: config.PUBSUB_PROJECT_ID,
        ...(config.PUBSUB_EMULATOR_HOST ? { apiEndpoint: config.PUBSUB_EMULATOR_HOST } : {}),
        createTopology: config.MESSAGING_CREATE_TOPOLOGY,
      });
    case 'kafka':
      return createKafkaTransport({
        ...dependencies,
        brokers: required(config.KAFKA_BROKERS, 'KAFKA_BROKERS').split(','),
        clientId: config.KAFKA_CLIENT_ID,
        createTopics: config.MESSAGING_CREATE_TOPOLOGY,
        sessionTimeoutMs: config.MESSAGING_CONSUMER_TIMEOUT_MS,
        maxBatchBytes: config.KAFKA_MAX_BATCH_BYTES,
      });
  }
}

// The configuration schema already demands these; this keeps the types honest without a cast.
function required(value: string | undefined, variable: string): string {
  if (value === undefined) {
    throw new TypeError(`${variable} is required for this transport`);
  }

  return value;
}
