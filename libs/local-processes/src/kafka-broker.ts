import { connect } from 'node:net';
import {
  type BrokerStartOptions,
  type StartedBroker,
  startThroughScript,
} from './started-broker.ts';

/** Where deploy/kafka/kafka-broker.sh starts its broker unless told otherwise. */
export const defaultKafkaBrokers = '127.0.0.1:19092';

const connectTimeoutMs = 1_000;

export interface KafkaBrokerStart extends BrokerStartOptions {
  /** `host:port` of the broker. @default 127.0.0.1:19092 */
  readonly address?: string;
  /** The KRaft controller's port of a broker started here. @default the client port + 1 */
  readonly controllerPort?: number;
}

/**
 * Makes sure a Kafka broker answers at `address`. One that already answers is used and never
 * stopped; otherwise deploy/kafka/kafka-broker.sh starts one there, with its data in `directory`
 * (by default a fresh temporary one), and stop() stops that broker.
 */
export function startKafkaBroker(options: KafkaBrokerStart): Promise<StartedBroker> {
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
  return startThroughScript(address, script, kafkaBrokerAnswers, options);
}

/** Whether a broker at `host:port` accepts a TCP connection within a second. */
export function kafkaBrokerAnswers(broker: string): Promise<boolean> {
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
