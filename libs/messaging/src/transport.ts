import type { MessageHandler, OutgoingMessage } from './message.ts';

export type TransportName = 'postgres' | 'pubsub' | 'kafka';

export interface RetryPolicy {
  /** Deliveries before a failing message is dead-lettered. @default 5 */
  readonly maxAttempts: number;
  /** Delay before the second delivery; doubles each time, with jitter. @default 1000 */
  readonly initialBackoffMs: number;
  /** @default 60000 */
  readonly maxBackoffMs: number;
}

export interface SubscribeOptions {
  readonly topic: string;
  /** A durable name: consumers with the same subscription share its messages. */
  readonly subscription: string;
  readonly handler: MessageHandler;
  /**
   * Handlers this consumer runs at once. Messages of one key still run one after another, in
   * order, at any concurrency (on Kafka, until one fails; docs/messaging.md). @default 1
   */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
}

export interface Subscription {
  /** Stops fetching, waits for in-flight handlers, then releases the subscription. */
  close(): Promise<void>;
}

/**
 * One way of carrying messages between services. Every transport gives at-least-once delivery,
 * acknowledgement after the handler succeeds, bounded redelivery with backoff and a dead-letter
 * destination; docs/messaging.md states what each adds (ordering, limits).
 */
export interface Transport {
  readonly name: TransportName;
  /** Validates and publishes; resolves with the message ids once the transport has them. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Resolves when the broker answers (and, on Kafka, every consumer is running); rejects when
   * not, or once closed. One cheap request: what a readiness probe calls.
   */
  check(): Promise<void>;
  /** Closes every subscription it opened, then its connections. */
  close(): Promise<void>;
}
