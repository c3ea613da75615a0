import type { Message, PubSub, Topic } from '@google-cloud/pubsub';
import type { DeadLetterReason } from '../process-delivery.ts';
import { deadLetterName } from './pubsub-topology.ts';

/** Pub/Sub refuses attribute values over 1024 bytes. */
const maxAttributeBytes = 1024;

/** Why a message was given up on, as processDelivery decided. */
export interface DeadLetterCause {
  readonly reason: DeadLetterReason;
  readonly detail: string;
  /** The transport's attempt that gave up: the handler's failures on the message, plus one. */
  readonly attempt: number;
}

/**
 * Copies given-up messages to a subscription's dead-letter topic with the reason beside them,
 * so an operator reading `<subscription>.dead-letter` sees why. Pub/Sub's own dead-lettering
 * (after its delivery limit) carries no reason; this transport gives up before that limit.
 */
export class DeadLetterPublisher {
  readonly #topic: Topic;
  readonly #subscription: string;

  constructor(pubsub: PubSub, subscription: string) {
    this.#topic = pubsub.topic(deadLetterName(subscription));
    this.#subscription = subscription;
  }

  /** Resolves once Pub/Sub has stored the copy; only then may the original be acknowledged. */
  async publish(message: Message, cause: DeadLetterCause): Promise<void> {
    await this.#topic.publishMessage({
      data: message.data,
      attributes: {
        ...message.attributes,
        reason: cause.reason,
        detail: truncateUtf8(cause.detail, maxAttributeBytes),
        subscription: this.#subscription,
        attempt: String(cause.attempt),
        deliveryAttempt: String(message.deliveryAttempt),
        originalMessageId: message.id,
      },
    });
  }

  /** Sends what is still batched. */
  async flush(): Promise<void> {
    await this.#topic.flush();
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;

  // Decoding a cut multi-byte character yields U+FFFD; dropping it keeps the value valid.
  return bytes
    .subarray(0, maxBytes - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}
