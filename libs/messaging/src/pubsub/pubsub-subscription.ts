import type { Subscription as GcpSubscription, Message, PubSub } from '@google-cloud/pubsub';
import type { MessagingLogger, TransportDependencies } from '../message.ts';
import {
  type DeliveryContext,
  type DeliveryOutcome,
  processDelivery,
} from '../process-delivery.ts';
import { resolveRetryPolicy } from '../retry-policy.ts';
import type { SubscribeOptions, Subscription } from '../transport.ts';
import { detachClosedSubscription } from './closed-subscription.ts';
import { DeadLetterPublisher } from './dead-letter-publisher.ts';
import { HandlerFailures } from './handler-failures.ts';
import { OrderRewinds } from './order-rewinds.ts';
import { OrderingKeyQueue } from './ordering-key-queue.ts';
import { UnacknowledgedMessages } from './unacknowledged-messages.ts';

/**
 * Waits before reopening a subscription whose streams the server ended with an error: doubling
 * from the first to the last while it keeps failing, back to the first once a message arrives.
 */
const firstReopenDelayMs = 1_000;
const lastReopenDelayMs = 60_000;

/** How long the client gathers acks and nacks before sending them in one request. */
const ackBatchMs = 10;

/**
 * Starts consuming a Pub/Sub subscription, which must exist with ordering and a dead-letter
 * policy (see ensureSubscriptionTopology). Each message goes through processDelivery; the
 * outcome becomes an ack, a nack (Pub/Sub redelivers after the subscription's retry-policy
 * backoff) or a copy to the dead-letter topic followed by an ack.
 */
export function openPubSubSubscription(
  pubsub: PubSub,
  options: SubscribeOptions,
  dependencies: TransportDependencies,
): Subscription {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError('concurrency must be a positive integer');
  }

  const consumer = new PubSubConsumer(pubsub, options, concurrency, dependencies);
  consumer.open();
  return { close: () => consumer.close() };
}

class PubSubConsumer {
  readonly #topic: string;
  readonly #name: string;
  readonly #subscription: GcpSubscription;
  readonly #deadLetters: DeadLetterPublisher;
  readonly #context: DeliveryContext;
  readonly #logger: MessagingLogger | undefined;
  readonly #keys = new OrderingKeyQueue();
  readonly #rewinds = new OrderRewinds();
  readonly #failures = new HandlerFailures();
  readonly #unacknowledged = new UnacknowledgedMessages();
  readonly #inFlight = new Set<Promise<void>>();
  #stopLag: () => void = () => {};
  #reopenTimer: NodeJS.Timeout | undefined;
  #reopenDelayMs = firstReopenDelayMs;
  #closing: Promise<void> | undefined;

  constructor(
    pubsub: PubSub,
    options: SubscribeOptions,
    concurrency: number,
    dependencies: TransportDependencies,
  ) {
    this.#topic = options.topic;
    this.#name = options.subscription;
    this.#logger = dependencies.logger;
    this.#deadLetters = new DeadLetterPublisher(pubsub, options.subscription);
    this.#context = {
      handler: options.handler,
      policy: resolveRetryPolicy(options.retry),
      metrics: dependencies.metrics,
      ...(dependencies.catalogue === undefined ? {} : { catalogue: dependencies.catalogue }),
    };
    // The client leases at most `concurrency` messages and leaves the rest on the server. It
    // frees a lease only once the ack is sent, and batches acks for 100 ms by default: at
    // concurrency 1 that capped a consumer near 10 messages a second, 10 ms near 65.
    this.#subscription = pubsub.subscription(options.subscription, {
      flowControl: { maxMessages: concurrency, allowExcessMessages: false },
      batching: { maxMilliseconds: ackBatchMs },
    });
  }

  /** Adding the message listener is what makes the client open its streams. */
  open(): void {
    this.#subscription.on('error', (error: Error) => this.#onError(error));
    this.#subscription.on('close', () => this.#reopenUnlessClosing());
    this.#subscription.on('message', (message: Message) => this.#receive(message));

    const probe = async () => this.#unacknowledged.oldestAgeSeconds();
    this.#stopLag = this.#context.metrics.trackLag(this.#topic, this.#name, probe);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  // New messages are sent back at once; queued ones too (see #handle); running ones finish.
  async #shutDown(): Promise<void> {
    clearTimeout(this.#reopenTimer);
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);

    await this.#deadLetters.flush();
    await this.#subscription.close();
    detachClosedSubscription(this.#subscription, (error) => {
      const details = { topic: this.#topic, subscription: this.#name, err: error };
      this.#logger?.warn(details, 'Pub/Sub subscription failed after it was closed');
    });
    this.#stopLag();
  }

  #receive(message: Message): void {
    if (this.#closing !== undefined) {
      message.nack();
      return;
    }

    this.#reopenDelayMs = firstReopenDelayMs;
    this.#unacknowledged.add(message);
    const key = message.orderingKey || message.id;
    const work = this.#keys.run(key, () => this.#handle(message, key));
    this.#inFlight.add(work);
    void work.then(() => this.#inFlight.delete(work));
  }

  async #handle(message: Message, key: string): Promise<void> {
    try {
      if (this.#closing !== undefined || this.#rewinds.mustSendBack(key, message.received)) {
        this.#sendBack(message, key);
        return;
      }

      const delivery = this.#delivery(message);
      const outcome = await processDelivery(delivery, this.#context);
      await this.#settle(message, key, delivery.attempt, outcome);
    } catch (error) {
      // Only the dead-letter copy can fail here; the message is tried again later.
      this.#logger?.error(this.#describe(message, { err: error }), 'dead-lettering failed');
      this.#sendBack(message, key);
    } finally {
      this.#unacknowledged.remove(message);
    }
  }

  async #settle(
    message: Message,
    key: string,
    attempt: number,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    if (outcome.action === 'ack') {
      // The client sends acks in the background and reports no failure without exactly-once
      // delivery, so this counts acks handed to it (docs/messaging-pubsub.md, Metrics).
      message.ack();
      this.#failures.settled(message.id);
      this.#context.metrics.acknowledged.inc({ topic: this.#topic, subscription: this.#name });
    } else if (outcome.action === 'retry') {
      this.#failures.failed(message.id);
      this.#logger?.warn(this.#describe(message, { attempt }), 'handler failed; message sent back');
      this.#sendBack(message, key);
    } else {
      await this.#deadLetters.publish(message, { ...outcome, attempt });
      message.ack();
      this.#failures.settled(message.id);
      const details = this.#describe(message, { attempt, reason: outcome.reason });
      this.#logger?.warn(details, 'message dead-lettered');
    }
  }

  // Pub/Sub redelivers the message and the rest of its key, so what we hold of the key goes too.
  #sendBack(message: Message, key: string): void {
    this.#rewinds.rewound(key);
    message.nack();
  }

  #delivery(message: Message) {
    return {
      topic: this.#topic,
      subscription: this.#name,
      data: message.data,
      attributes: message.attributes,
      // The handler's own failures, not Pub/Sub's deliveryAttempt: see HandlerFailures.
      attempt: this.#failures.attemptOf(message.id),
    };
  }

  #onError(error: Error): void {
    const details = { topic: this.#topic, subscription: this.#name, err: error };
    this.#logger?.error(details, 'Pub/Sub subscription failed');
  }

  // The client closes a subscription whose streams all ended with an error it does not retry.
  #reopenUnlessClosing(): void {
    if (this.#closing !== undefined) return;

    clearTimeout(this.#reopenTimer);
    this.#reopenTimer = setTimeout(() => {
      if (this.#closing === undefined && !this.#subscription.isOpen) this.#subscription.open();
    }, this.#reopenDelayMs);
    this.#reopenDelayMs = Math.min(this.#reopenDelayMs * 2, lastReopenDelayMs);
  }

  #describe(message: Message, extra: object): object {
    return {
      topic: this.#topic,
      subscription: this.#name,
      messageId: message.id,
      deliveryAttempt: message.deliveryAttempt,
      ...extra,
    };
  }
}
