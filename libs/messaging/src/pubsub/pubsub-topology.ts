import type { CreateSubscriptionOptions, PubSub } from '@google-cloud/pubsub';
import type { RetryPolicy } from '../transport.ts';
import { grpcCodes, grpcStatus } from './grpc-status.ts';

/** Pub/Sub accepts 5 to 100 delivery attempts before it dead-letters a message itself. */
const pubsubMinDeliveryAttempts = 5;
const pubsubMaxDeliveryAttempts = 100;

/** Pub/Sub's retry policy accepts backoffs from 0 to 600 seconds. */
const pubsubMaxBackoffMs = 600_000;

/**
 * Pub/Sub counts every delivery as an attempt, also a message released by a closing consumer or
 * sent back so its key stays in order, while the transport counts handler failures. Each failing
 * message sends the later ones of its key back up to maxAttempts - 1 times, so Pub/Sub's own
 * limit leaves room for the message's own attempts and three failing messages ahead of it: the
 * transport dead-letters first, with the reason.
 */
const deliveryAttemptFactor = 4;

/** The dead-letter topic of a subscription, and the subscription an operator reads it from. */
export function deadLetterName(subscription: string): string {
  return `${subscription}.dead-letter`;
}

/**
 * The settings a subscription needs for this transport: ordering, a dead-letter policy (without
 * it Pub/Sub does not count delivery attempts) and a retry policy carrying the backoff.
 */
export function subscriptionSettings(
  pubsub: PubSub,
  subscription: string,
  policy: RetryPolicy,
): CreateSubscriptionOptions {
  return {
    enableMessageOrdering: true,
    // The client extends the deadline while a handler runs, so this only sets how soon the
    // messages of a consumer that died come back: Pub/Sub's minimum, 10 seconds.
    ackDeadlineSeconds: 10,
    deadLetterPolicy: {
      deadLetterTopic: pubsub.topic(deadLetterName(subscription)).name,
      maxDeliveryAttempts: pubsubDeliveryAttempts(policy.maxAttempts),
    },
    retryPolicy: {
      minimumBackoff: toDuration(policy.initialBackoffMs),
      maximumBackoff: toDuration(policy.maxBackoffMs),
    },
  };
}

/** Pub/Sub's own dead-letter limit for a transport limit of `maxAttempts`. */
export function pubsubDeliveryAttempts(maxAttempts: number): number {
  const wanted = maxAttempts * deliveryAttemptFactor;
  return Math.min(pubsubMaxDeliveryAttempts, Math.max(pubsubMinDeliveryAttempts, wanted));
}

/**
 * Creates whatever is missing of a topic, its subscription, the subscription's dead-letter
 * topic and a subscription on that topic so dead letters can be read. Existing resources are
 * left as they are. For development and tests; production creates them beforehand
 * (docs/messaging-pubsub.md).
 */
export async function ensureSubscriptionTopology(
  pubsub: PubSub,
  topic: string,
  subscription: string,
  policy: RetryPolicy,
): Promise<void> {
  const deadLetters = deadLetterName(subscription);

  await Promise.all([ensureTopic(pubsub, topic), ensureTopic(pubsub, deadLetters)]);
  await Promise.all([
    ensureSubscription(pubsub, deadLetters, deadLetters, {}),
    ensureSubscription(
      pubsub,
      topic,
      subscription,
      subscriptionSettings(pubsub, subscription, policy),
    ),
  ]);
}

/** Creates a topic unless it exists. */
export async function ensureTopic(pubsub: PubSub, topic: string): Promise<void> {
  await ignoreAlreadyExists(pubsub.createTopic(topic));
}

async function ensureSubscription(
  pubsub: PubSub,
  topic: string,
  subscription: string,
  settings: CreateSubscriptionOptions,
): Promise<void> {
  await ignoreAlreadyExists(pubsub.topic(topic).createSubscription(subscription, settings));
}

async function ignoreAlreadyExists(creation: Promise<unknown>): Promise<void> {
  try {
    await creation;
  } catch (error) {
    // Another process created it first, which is what was wanted.
    if (grpcStatus(error) !== grpcCodes.alreadyExists) throw error;
  }
}

function toDuration(milliseconds: number): { seconds: number; nanos: number } {
  const capped = Math.min(Math.max(0, milliseconds), pubsubMaxBackoffMs);
  const seconds = Math.floor(capped / 1000);

  return { seconds, nanos: Math.round(capped - seconds * 1000) * 1_000_000 };
}
