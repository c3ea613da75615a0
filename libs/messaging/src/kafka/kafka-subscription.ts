import type { Kafka, Producer } from 'kafkajs';
import type { TransportDependencies } from '../message.ts';
import type { DeliveryContext } from '../process-delivery.ts';
import { resolveRetryPolicy } from '../retry-policy.ts';
import type { SubscribeOptions, Subscription } from '../transport.ts';
import { HandlerSlots } from './handler-slots.ts';
import { InFlightLag } from './in-flight-lag.ts';
import { type BatchWorkerContext, createBatchWorker } from './kafka-batch-worker.ts';
import { retryGroupId, subscriptionTopics } from './kafka-topic-names.ts';
import {
  type ConsumerPlan,
  type ConsumerSettings,
  SupervisedConsumer,
} from './supervised-consumer.ts';

export interface ConsumerTimeouts {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

export interface SubscriptionResources {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly dependencies: TransportDependencies;
  readonly timeouts: ConsumerTimeouts;
}

/** A subscription that can say why it is not consuming, for the transport's health check. */
export interface KafkaSubscription extends Subscription {
  /** The crash of one of its consumers, until that consumer has joined its group again. */
  failure(): Error | undefined;
}

/**
 * Starts the two consumers of a subscription: one on the topic, in the consumer group named after
 * the subscription, and one on the subscription's retry topic, in a group of its own. Each hands
 * every message to the shared delivery logic.
 */
export async function openKafkaSubscription(
  options: SubscribeOptions,
  resources: SubscriptionResources,
): Promise<KafkaSubscription> {
  const { metrics } = resources.dependencies;
  const abort = new AbortController();
  const lag = new InFlightLag();
  const concurrency = checkedConcurrency(options.concurrency);
  const worker = workerContext(options, resources, abort.signal, new HandlerSlots(concurrency));
  const { retry } = subscriptionTopics(options.topic, options.subscription);
  const settings = { concurrency, subscription: options.subscription };

  const consumers = await startAll(resources, settings, [
    {
      groupId: options.subscription,
      topic: options.topic,
      run: createBatchWorker({ ...worker, lag }),
    },
    {
      groupId: retryGroupId(options.subscription),
      topic: retry,
      run: createBatchWorker({ ...worker, honourNotBefore: true }),
    },
  ]);
  const untrack = metrics.trackLag(options.topic, options.subscription, async () => lag.seconds());

  let closing: Promise<void> | undefined;
  return {
    close: () => {
      closing ??= stopAll(abort, untrack, consumers);
      return closing;
    },
    failure: () => consumers.map((consumer) => consumer.failure()).find(Boolean),
  };
}

function workerContext(
  options: SubscribeOptions,
  resources: SubscriptionResources,
  signal: AbortSignal,
  slots: HandlerSlots,
): BatchWorkerContext {
  const { metrics, catalogue } = resources.dependencies;
  const delivery: DeliveryContext = {
    handler: options.handler,
    policy: resolveRetryPolicy(options.retry),
    metrics,
    ...(catalogue === undefined ? {} : { catalogue }),
  };

  return {
    topic: options.topic,
    subscription: options.subscription,
    delivery,
    target: {
      producer: resources.producer,
      topics: subscriptionTopics(options.topic, options.subscription),
    },
    signal,
    heartbeatIntervalMs: resources.timeouts.heartbeatIntervalMs,
    honourNotBefore: false,
    slots,
  };
}

function checkedConcurrency(concurrency = 1): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError('concurrency must be a positive integer');
  }

  return concurrency;
}

// Starts every consumer or none: one that started is stopped again if another fails.
async function startAll(
  resources: SubscriptionResources,
  settings: Pick<ConsumerSettings, 'concurrency' | 'subscription'>,
  plans: readonly ConsumerPlan[],
): Promise<SupervisedConsumer[]> {
  const { kafka, timeouts, dependencies } = resources;
  const shared = { ...timeouts, ...settings, kafka, logger: dependencies.logger };
  const consumers = plans.map((plan) => new SupervisedConsumer(shared, plan));
  const started = await Promise.allSettled(consumers.map((consumer) => consumer.start()));
  const failure = started.find((result) => result.status === 'rejected');

  if (failure !== undefined) {
    await Promise.allSettled(consumers.map((consumer) => consumer.stop()));
    throw failure.reason;
  }

  return consumers;
}

async function stopAll(
  abort: AbortController,
  untrack: () => void,
  consumers: readonly SupervisedConsumer[],
) {
  abort.abort();
  untrack();
  await Promise.all(consumers.map((consumer) => consumer.stop()));
}
