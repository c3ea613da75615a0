import type { PubSub } from '@google-cloud/pubsub';
import { MessagingError } from '../messaging-error.ts';
import { grpcCodes, grpcStatus } from './grpc-status.ts';

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
    const code = grpcStatus(error);
    if (code === grpcCodes.notFound) {
      throw new MessagingError(
        'MESSAGING_SUBSCRIPTION_NOT_FOUND',
        { topic, subscription },
        { cause: error },
      );
    }
    if (code === grpcCodes.permissionDenied) {
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
