import type { PubSub } from '@google-cloud/pubsub';
import { MessagingError } from '../messaging-error.ts';

/** gRPC status codes Pub/Sub answers a refused lookup with. */
const notFound = 5;
const permissionDenied = 7;

/**
 * Checks before consuming that the subscription exists and reads the topic: the client would
 * otherwise accept any name, then only log a stream error and retry for ever.
 */
export async function checkSubscription(
  pubsub: PubSub,
  topic: string,
  subscription: string,
): Promise<void> {
  const metadata = await readMetadata(pubsub, topic, subscription);

  if (metadata.topic !== pubsub.topic(topic).name) {
    throw new MessagingError('MESSAGING_SUBSCRIPTION_NOT_FOUND', { topic, subscription });
  }
}

async function readMetadata(pubsub: PubSub, topic: string, subscription: string) {
  try {
    const [metadata] = await pubsub.subscription(subscription).getMetadata();
    return metadata;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === notFound) {
      throw new MessagingError(
        'MESSAGING_SUBSCRIPTION_NOT_FOUND',
        { topic, subscription },
        { cause: error },
      );
    }
    if (code === permissionDenied) {
      const target = `subscription ${subscription}`;
      throw new MessagingError(
        'MESSAGING_NOT_PERMITTED',
        { action: 'consume', target },
        { cause: error },
      );
    }
    throw error;
  }
}
