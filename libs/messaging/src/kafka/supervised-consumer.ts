import type { Consumer, ConsumerCrashEvent, EachBatchHandler, Kafka } from 'kafkajs';
import type { MessagingLogger } from '../message.ts';

/** One consumer group reading one topic with one batch handler. */
export interface ConsumerPlan {
  readonly groupId: string;
  readonly topic: string;
  readonly run: EachBatchHandler;
}

export interface ConsumerSettings {
  readonly kafka: Kafka;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Partitions kafkajs works on at once. */
  readonly concurrency: number;
  readonly subscription: string;
  readonly logger: MessagingLogger | undefined;
}

const firstRestartDelayMs = 1_000;
const lastRestartDelayMs = 60_000;

/**
 * A kafkajs consumer that is restarted when it crashes for good. kafkajs restarts a consumer
 * after a retriable error itself, but after any other (a dead-letter copy the broker refuses, a
 * revoked ACL) it only leaves the group and emits CRASH: the subscription would be dead while
 * the process looked healthy. Here the crash is logged, reported by `failure()` until the group
 * is joined again, and a new consumer is started with backoff (1 s doubling to 60 s).
 */
export class SupervisedConsumer {
  readonly #settings: ConsumerSettings;
  readonly #plan: ConsumerPlan;
  #consumer: Consumer | undefined;
  #failure: Error | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartDelayMs = firstRestartDelayMs;
  #restarting: Promise<void> | undefined;
  #stopped = false;

  constructor(settings: ConsumerSettings, plan: ConsumerPlan) {
    this.#settings = settings;
    this.#plan = plan;
  }

  /** Resolves once the consumer has joined its group and runs; rejects if it cannot. */
  async start(): Promise<void> {
    const consumer = this.#create();
    this.#consumer = consumer;

    try {
      await consumer.connect();
      // A new subscription starts at the oldest retained message: nothing published before its
      // first consumer joined is skipped.
      await consumer.subscribe({ topic: this.#plan.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#settings.concurrency,
        eachBatch: this.#plan.run,
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Why the consumer is not consuming now, or undefined while it is. */
  failure(): Error | undefined {
    return this.#failure;
  }

  // kafkajs's disconnect stops fetching, waits for the running batches (which end after their
  // in-flight message once the subscription's signal is aborted), leaves the group, then closes.
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    await this.#restarting;
    await this.#consumer?.disconnect();
  }

  #create(): Consumer {
    const { kafka, sessionTimeoutMs, heartbeatIntervalMs } = this.#settings;
    const consumer = kafka.consumer({
      groupId: this.#plan.groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: heartbeatIntervalMs,
      // Bounds how long close waits for an idle fetch to return.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
    });

    consumer.on(consumer.events.CRASH, (event) => this.#crashed(consumer, event));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.#consumer === consumer) this.#failure = undefined;
    });
    return consumer;
  }

  #crashed(consumer: Consumer, event: ConsumerCrashEvent): void {
    if (this.#consumer !== consumer || this.#stopped) return;

    const { error, restart } = event.payload;
    this.#failure = error;
    if (restart) {
      this.#log(error, 'Kafka consumer crashed; kafkajs restarts it');
      return;
    }

    this.#log(error, 'Kafka consumer crashed; restarting it');
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delay * 2, lastRestartDelayMs);
    this.#restartTimer = setTimeout(() => {
      this.#restarting = this.#restart().finally(() => {
        this.#restarting = undefined;
      });
    }, delay);
  }

  async #restart(): Promise<void> {
    if (this.#stopped) return;

    try {
      await this.#consumer?.disconnect().catch(() => undefined);
      await this.start();
      this.#restartDelayMs = firstRestartDelayMs;
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#log(error, 'restarting a crashed Kafka consumer failed');
      if (!this.#stopped) this.#scheduleRestart();
    }
  }

  #log(error: unknown, message: string): void {
    const { subscription, logger } = this.#settings;
    const { groupId, topic } = this.#plan;
    logger?.error({ topic, subscription, groupId, err: error }, message);
  }
}
