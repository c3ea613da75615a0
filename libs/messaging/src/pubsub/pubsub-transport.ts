import { PubSub, type Topic } from '@google-cloud/pubsub';
import { type EncodedMessage, encodeMessage } from '../envelope-codec.ts';
import { makeFirstContact } from '../first-contact.ts';
import type { OutgoingMessage, TransportDependencies } from '../message.ts';
import { OpenSubscriptions } from '../open-subscriptions.ts';
import { resolveRetryPolicy } from '../retry-policy.ts';
import type { SubscribeOptions, Subscription, Transport } from '../transport.ts';
import { pubsubPublishFailure } from './pubsub-publish-failure.ts';
import { probePubSub } from './pubsub-reachability.ts';
import { openPubSubSubscription } from './pubsub-subscription.ts';
import { ensureSubscriptionTopology, ensureTopic } from './pubsub-topology.ts';
import { checkSubscription } from './subscription-check.ts';

export interface PubSubTransportOptions extends TransportDependencies {
  /** The Google Cloud project holding the topics and subscriptions. */
  readonly projectId: string;
  /**
   * `host:port` of a Pub/Sub emulator, reached over plain-text gRPC without credentials. Unset
   * in production: the client then reaches Google with Application Default Credentials
   * (Workload Identity on GKE).
   */
  readonly apiEndpoint?: string;
  /**
   * Create missing topics, subscriptions and dead-letter topics on first use. For development
   * and tests; production creates them beforehand (docs/messaging-pubsub.md).
   * @default false
   */
  readonly createTopology?: boolean;
  /**
   * How long start-up keeps trying to reach Pub/Sub (retrying as the client does) before
   * `createPubSubTransport` fails. @default 10000
   */
  readonly connectTimeoutMs?: number;
}

/**
 * The Google Cloud Pub/Sub transport: the envelope as message data, the key as the ordering
 * key, attributes as Pub/Sub attributes. Each subscription has a dead-letter topic named
 * `<subscription>.dead-letter`; docs/messaging-pubsub.md gives the settings it expects.
 */
export async function createPubSubTransport(options: PubSubTransportOptions): Promise<Transport> {
  if (options.projectId === '') throw new TypeError('projectId must not be empty');
  const pubsub = new PubSub(clientSettings(options));

  await makeFirstContact({
    transport: 'pubsub',
    target: options.apiEndpoint ?? 'Pub/Sub',
    contact: () => probePubSub(pubsub, { timeout: options.connectTimeoutMs ?? 10_000 }),
    cleanUp: () => pubsub.close(),
  });
  return new PubSubTransport(pubsub, options);
}

function clientSettings(options: PubSubTransportOptions) {
  if (options.apiEndpoint === undefined) return { projectId: options.projectId };

  // A fixed universe domain stops the auth library from probing the GCE metadata server
  // (a network call) to learn it; the emulator needs no credentials at all.
  return {
    projectId: options.projectId,
    apiEndpoint: options.apiEndpoint,
    emulatorMode: true,
    universeDomain: 'googleapis.com',
  };
}

const checkTimeoutMs = 5_000;

class PubSubTransport implements Transport {
  readonly name = 'pubsub';
  readonly #pubsub: PubSub;
  readonly #options: PubSubTransportOptions;
  readonly #publishers = new Map<string, Topic>();
  readonly #createdTopics = new Map<string, Promise<void>>();
  readonly #subscriptions = new OpenSubscriptions('pubsub');
  #closing: Promise<void> | undefined;

  constructor(pubsub: PubSub, options: PubSubTransportOptions) {
    this.#pubsub = pubsub;
    this.#options = options;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    this.#subscriptions.assertOpen();
    const { catalogue, metrics } = this.#options;
    const encoded = messages.map((message) => encodeMessage(topic, message, catalogue));
    if (encoded.length === 0) return [];

    await this.#ensureTopic(topic);
    const publisher = this.#publisher(topic);
    await Promise.all(encoded.map((message) => publishOne(publisher, topic, message)));
    metrics.published.inc({ topic }, encoded.length);
    return encoded.map((message) => message.id);
  }

  subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    return this.#subscriptions.add(() => this.#open(subscribeOptions));
  }

  /** One request Pub/Sub must answer, not retried: the readiness probe has its own deadline. */
  async check(): Promise<void> {
    this.#subscriptions.assertOpen();
    await probePubSub(this.#pubsub, { timeout: checkTimeoutMs, retry: null });
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  // One Topic object per topic: it holds the ordering queues that keep each key in sequence.
  #publisher(topic: string): Topic {
    let publisher = this.#publishers.get(topic);
    if (publisher === undefined) {
      publisher = this.#pubsub.topic(topic, { messageOrdering: true });
      this.#publishers.set(topic, publisher);
    }
    return publisher;
  }

  #ensureTopic(topic: string): Promise<void> {
    if (!this.#options.createTopology) return Promise.resolve();

    let created = this.#createdTopics.get(topic);
    if (created === undefined) {
      created = ensureTopic(this.#pubsub, topic);
      this.#createdTopics.set(topic, created);
      created.catch(() => this.#createdTopics.delete(topic));
    }
    return created;
  }

  async #open(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    const { topic, subscription, retry } = subscribeOptions;

    if (this.#options.createTopology) {
      const policy = resolveRetryPolicy(retry);
      await ensureSubscriptionTopology(this.#pubsub, topic, subscription, policy);
    }
    await checkSubscription(this.#pubsub, topic, subscription);
    return openPubSubSubscription(this.#pubsub, subscribeOptions, this.#options);
  }

  // Subscriptions first, those still opening included: their last dead letters still need the
  // client.
  async #closeAll(): Promise<void> {
    await this.#subscriptions.closeAll();
    await Promise.all([...this.#publishers.values()].map((publisher) => publisher.flush()));
    await this.#pubsub.close();
  }
}

/**
 * After a failed publish the client pauses the key, refusing its later messages so none
 * overtakes the lost one. The caller gets the error and may retry (the outbox relay does), so
 * the key is resumed for that retry.
 */
async function publishOne(publisher: Topic, topic: string, message: EncodedMessage) {
  try {
    await publisher.publishMessage({
      data: message.data,
      orderingKey: message.key,
      attributes: { ...message.attributes },
    });
  } catch (error) {
    publisher.resumePublishing(message.key);
    throw pubsubPublishFailure(topic, error);
  }
}
