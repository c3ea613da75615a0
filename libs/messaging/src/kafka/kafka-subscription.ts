import type { Consumer, EachBatchHandler, Kafka, Producer } from 'kafkajs';
import type { TransportDependencies } from '../message.ts';
import type { DeliveryContext } from '../process-delivery.ts';
import { resolveRetryPolicy } from '../retry-policy.ts';
import type { SubscribeOptions, Subscription } from '../transport.ts';
import { HandlerSlots } from './handler-slots.ts';
import { InFlightLag } from './in-flight-lag.ts';
import { type BatchWorkerContext, createBatchWorker } from './kafka-batch-worker.ts';
import { retryGroupId, subscriptionTopics } from './kafka-topic-names.ts';

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

/**
 * Starts the two consumers of a subscription: one on the topic, in the consumer group named after
 * the subscription, and one on the subscription's retry topic, in a group of its own. Each hands
 * every message to the shared delivery logic.
 */
export async function openKafkaSubscription(
  options: SubscribeOptions,
  resources: SubscriptionResources,
): Promise<Subscription> {
  const { metrics } = resources.dependencies;
  const abort = new AbortController();
  const lag = new InFlightLag();
  const concurrency = checkedConcurrency(options.concurrency);
  const worker = workerContext(options, resources, abort.signal, new HandlerSlots(concurrency));
  const { retry } = subscriptionTopics(options.topic, options.subscription);

  const consumers = await startAll(resources, concurrency, [
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

interface ConsumerPlan {
  readonly groupId: string;
  readonly topic: string;
  readonly run: EachBatchHandler;
}

// Starts every consumer or none: one that started is stopped again if another fails.
async function startAll(
  resources: SubscriptionResources,
  concurrency: number,
  plans: readonly ConsumerPlan[],
): Promise<Consumer[]> {
  const started = await Promise.allSettled(
    plans.map((plan) => startConsumer(resources, concurrency, plan)),
  );
  const consumers = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failure = started.find((result) => result.status === 'rejected');

  if (failure !== undefined) {
    await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
    throw failure.reason;
  }

  return consumers;
}

async function startConsumer(
  resources: SubscriptionResources,
  concurrency: number,
  plan: ConsumerPlan,
): Promise<Consumer> {
  const { sessionTimeoutMs, heartbeatIntervalMs } = resources.timeouts;
  const consumer = resources.kafka.consumer({
    groupId: plan.groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    // Bounds how long close waits for an idle fetch to return.
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });

  try {
    await consumer.connect();
    // A new subscription starts at the oldest retained message: nothing published before its
    // first consumer joined is skipped.
    await consumer.subscribe({ topic: plan.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: plan.run,
    });
    return consumer;
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
}

// kafkajs's disconnect stops fetching, waits for the running batches (which end after their
// in-flight message once the signal is aborted), leaves the group, then closes the connections.
async function stopAll(abort: AbortController, untrack: () => void, consumers: Consumer[]) {
  abort.abort();
  untrack();
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
}
