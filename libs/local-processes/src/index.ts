export { isRunning, stopChild } from './child-stop.ts';
export {
  defaultKafkaBrokers,
  type KafkaBrokerStart,
  kafkaBrokerAnswers,
  startKafkaBroker,
} from './kafka-broker.ts';
export {
  defaultPubSubEmulatorHost,
  type PubSubEmulatorStart,
  pubsubEmulatorAnswers,
  startPubSubEmulator,
} from './pubsub-emulator.ts';
export { type ReadinessWait, waitUntilReady } from './service-readiness.ts';
export type { BrokerStartOptions, StartedBroker } from './started-broker.ts';
