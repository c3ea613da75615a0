import { defaultKafkaBrokers, kafkaBrokerAnswers } from '@footfall/local-processes';

/** The brokers Kafka tests may use, or the plain reason they cannot run here. */
export type KafkaAvailability =
  | { readonly brokers: string; readonly reason?: undefined }
  | { readonly brokers?: undefined; readonly reason: string };

/**
 * Finds the Kafka broker for a test run: KAFKA_BROKERS (comma-separated `host:port`) when set,
 * else the dev broker's default address. Usable when at least one listed broker accepts a TCP
 * connection; CI starts the broker and sets the variable.
 */
export async function findKafkaBrokers(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<KafkaAvailability> {
  const brokers = env.KAFKA_BROKERS || defaultKafkaBrokers;
  const reachable = await Promise.all(
    brokers.split(',').map((broker) => kafkaBrokerAnswers(broker.trim())),
  );

  if (reachable.some(Boolean)) return { brokers };
  return {
    reason:
      `Kafka not reachable at ${brokers}; ` +
      'run deploy/kafka/kafka-broker.sh start and set KAFKA_BROKERS',
  };
}
