import type {
  ContractCatalogue,
  MessagingMetrics,
  Transport,
  TransportDependencies,
  TransportName,
} from '../../src/index.ts';

/** One message found in a subscription's dead-letter destination. */
export interface DeadLetter {
  /** The envelope id when the message had one that could be read. */
  readonly id: string | undefined;
  /** `malformed`, `unknown-contract`, `invalid-payload` or `handler-failed`. */
  readonly reason: string;
}

/**
 * What each transport's test file provides so the one contract suite can run against it. The
 * suite gives every test its own topic and subscription names, so tests never share state.
 */
export interface ContractHarness {
  readonly name: TransportName;
  /**
   * Whether redeliveries wait for the computed backoff, so the suite checks the gap between
   * attempts. The Pub/Sub emulator ignores a subscription's retry policy (docs/messaging-pubsub.md).
   */
  readonly honoursBackoff: boolean;
  /** Why the suite cannot run here (its broker is unreachable), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** A new transport for one test; the suite closes it. */
  createTransport(dependencies: TransportDependencies): Promise<Transport>;
  /** Makes the topic and its subscriptions exist, as an operator would before deploying. */
  provision(topic: string, subscriptions: readonly string[]): Promise<void>;
  /**
   * Environment for the consumer fixture process (test/fixtures/consumer-process.ts), which
   * builds the same transport with createTransport(loadMessagingConfig(env)).
   */
  processEnvironment(): Record<string, string>;
  /** Every message dead-lettered so far for this subscription. */
  readDeadLetters(topic: string, subscription: string): Promise<DeadLetter[]>;
}

export type { ContractCatalogue, MessagingMetrics };
