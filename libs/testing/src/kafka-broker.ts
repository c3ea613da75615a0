import { connect } from 'node:net';
import { type StartedBroker, startThroughScript } from './started-broker.ts';

/** Where deploy/kafka/kafka-broker.sh starts its broker unless told otherwise. */
export const defaultKafkaBrokers = '127.0.0.1:19092';

const connectTimeoutMs = 1_000;

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
  const reachable = await Promise.all(brokers.split(',').map((broker) => answers(broker.trim())));

  if (reachable.some(Boolean)) return { brokers };
  return {
    reason:
      `Kafka not reachable at ${brokers}; ` +
      'run deploy/kafka/kafka-broker.sh start and set KAFKA_BROKERS',
  };
}

/** The broker list when a broker answers, else undefined; findKafkaBrokers says why. */
export async function kafkaBrokers(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string | undefined> {
  return (await findKafkaBrokers(env)).brokers;
}

export interface KafkaBrokerStart {
  /** `host:port` of the broker. @default 127.0.0.1:19092 */
  readonly address?: string;
  /** The KRaft controller's port of a broker started here. @default the client port + 1 */
  readonly controllerPort?: number;
  /** What the start script runs with: PATH (java, mvn), HOME (its jar cache). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Makes sure a Kafka broker answers at `address`. One that already answers is used and never
 * stopped; otherwise deploy/kafka/kafka-broker.sh starts one there, its data in a fresh
 * temporary directory, and stop() stops that broker and deletes the directory.
 */
export function startKafkaBroker(options: KafkaBrokerStart = {}): Promise<StartedBroker> {
  const { controllerPort } = options;
  const script = {
    path: 'deploy/kafka/kafka-broker.sh',
    arguments: [],
    settings: (port: number, directory: string) => ({
      KAFKA_PORT: String(port),
      KAFKA_DATA_DIR: directory,
      ...(controllerPort === undefined ? {} : { KAFKA_CONTROLLER_PORT: String(controllerPort) }),
    }),
  };

  const address = options.address ?? defaultKafkaBrokers;
  return startThroughScript(address, script, answers, options.env ?? process.env);
}

function answers(broker: string): Promise<boolean> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  if (separator < 1 || !Number.isInteger(port)) return Promise.resolve(false);

  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: connectTimeoutMs });
    const finish = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
