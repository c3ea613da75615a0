import { Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { type EncodedMessage, encodeMessage } from '../envelope-codec.ts';
import { makeFirstContact } from '../first-contact.ts';
import type { OutgoingMessage, TransportDependencies } from '../message.ts';
import { OpenSubscriptions } from '../open-subscriptions.ts';
import { maxMessagesPerSlice, sliceForSending } from '../publish-slices.ts';
import type { SubscribeOptions, Subscription, Transport } from '../transport.ts';
import { AdminConnection } from './admin-connection.ts';
import { kafkaLimits } from './kafka-limits.ts';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log-creator.ts';
import { kafkaPublishFailure } from './kafka-publish-failure.ts';
import {
  type ConsumerTimeouts,
  type KafkaSubscription,
  openKafkaSubscription,
} from './kafka-subscription.ts';
import { TopicCreator } from './kafka-topic-creator.ts';

export interface KafkaTransportOptions extends TransportDependencies {
  /** Bootstrap brokers, `host:port` each. */
  readonly brokers: readonly string[];
  /** Names this process in the brokers' logs and quotas. */
  readonly clientId: string;
  /**
   * Create each topic, with its subscriptions' retry and dead-letter topics, on first use
   * (6 partitions, replication 1). For development and tests; production creates them first.
   * @default false
   */
  readonly createTopics?: boolean;
  /**
   * How long a consumer may go without a heartbeat before the group gives its partitions to
   * another member: the delay before a crashed consumer's messages move on. At least 6000, the
   * brokers' default `group.min.session.timeout.ms`. @default 30000
   */
  readonly sessionTimeoutMs?: number;
  /**
   * Most bytes one `producer.send` carries. Brokers refuse a partition's record batch over
   * `message.max.bytes` (1 MiB by default), so a publish is sent in slices under this; lower it
   * with the brokers' or the topic's `max.message.bytes`. At least 270336, so the largest
   * message fits. @default 921600 (900 KiB)
   */
  readonly maxBatchBytes?: number;
}

/** Record framing beside the envelope and headers: lengths, offsets, timestamps, the key. */
const recordOverheadBytes = 256;

/**
 * The Kafka transport: one topic per platform topic, partitioned by the message key, the
 * envelope as the value and attributes as headers. A subscription is a consumer group; failed
 * messages wait on `<topic>.<subscription>.retry`, and those given up on go to
 * `<topic>.<subscription>.dlq`.
 */
export async function createKafkaTransport(options: KafkaTransportOptions): Promise<Transport> {
  const timeouts = consumerTimeouts(options.sessionTimeoutMs ?? 30_000);
  const maxBatchBytes = checkedMaxBatchBytes(
    options.maxBatchBytes ?? kafkaLimits.defaultMaxBatchBytes,
  );
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: kafkaLogLevel(options.logger),
    logCreator: kafkaLogCreator(options.logger),
  });
  // Idempotent: a send retried after a lost acknowledgement is not written twice. kafkajs allows
  // that only with one request in flight, which also keeps a key's messages in order.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

  await makeFirstContact({
    transport: 'kafka',
    target: options.brokers.join(','),
    contact: () => producer.connect(),
  });
  const topics = options.createTopics ? new TopicCreator(kafka.admin()) : undefined;
  // Not retried: a readiness probe has its own deadline and asks again soon.
  const probe = new AdminConnection(kafka.admin({ retry: { retries: 0 } }));
  return new KafkaTransport({ kafka, producer, topics, probe, options, timeouts, maxBatchBytes });
}

function checkedMaxBatchBytes(maxBatchBytes: number): number {
  const { smallestMaxBatchBytes } = kafkaLimits;
  if (!Number.isSafeInteger(maxBatchBytes) || maxBatchBytes < smallestMaxBatchBytes) {
    throw new TypeError(`maxBatchBytes must be an integer of at least ${smallestMaxBatchBytes}`);
  }

  return maxBatchBytes;
}

// kafkajs wants the heartbeat well inside the session; a third is its own advice.
function consumerTimeouts(sessionTimeoutMs: number): ConsumerTimeouts {
  const { minSessionTimeoutMs } = kafkaLimits;
  if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < minSessionTimeoutMs) {
    throw new TypeError(`sessionTimeoutMs must be an integer of at least ${minSessionTimeoutMs}`);
  }

  return {
    sessionTimeoutMs,
    heartbeatIntervalMs: Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
  };
}

interface KafkaTransportParts {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly topics: TopicCreator | undefined;
  /** Asks the cluster for its metadata in check(). */
  readonly probe: AdminConnection;
  readonly options: KafkaTransportOptions;
  readonly timeouts: ConsumerTimeouts;
  readonly maxBatchBytes: number;
}

class KafkaTransport implements Transport {
  readonly name = 'kafka';
  readonly #parts: KafkaTransportParts;
  readonly #subscriptions = new OpenSubscriptions<KafkaSubscription>('kafka');
  #closing: Promise<void> | undefined;

  constructor(parts: KafkaTransportParts) {
    this.#parts = parts;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    this.#subscriptions.assertOpen();
    const { topics, options } = this.#parts;
    const encoded = messages.map((message) => encodeMessage(topic, message, options.catalogue));
    if (encoded.length === 0) return [];

    await topics?.ensure([topic]);
    // One slice after another, so a key's messages reach the partition in order.
    for (const slice of this.#slices(encoded)) {
      await this.#send(topic, slice);
    }
    options.metrics.published.inc({ topic }, encoded.length);
    return encoded.map((message) => message.id);
  }

  subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    const { kafka, producer, topics, options, timeouts } = this.#parts;

    return this.#subscriptions.add(async () => {
      await topics?.ensureSubscription(subscribeOptions.topic, subscribeOptions.subscription);
      return openKafkaSubscription(subscribeOptions, {
        kafka,
        producer,
        dependencies: options,
        timeouts,
      });
    });
  }

  /** A consumer that crashed fails the check until it has rejoined its group. */
  async check(): Promise<void> {
    this.#subscriptions.assertOpen();
    const crashed = this.#subscriptions.opened().map((opened) => opened.failure());
    const failure = crashed.find((error) => error !== undefined);
    if (failure !== undefined) throw failure;

    const admin = await this.#parts.probe.ready();
    await admin.describeCluster();
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  // Consumers first, those still joining included: their last retries and dead letters still
  // need the producer.
  async #closeAll(): Promise<void> {
    await this.#subscriptions.closeAll();
    await this.#parts.producer.disconnect();
    await this.#parts.topics?.close();
    await this.#parts.probe.close();
  }

  async #send(topic: string, slice: readonly EncodedMessage[]): Promise<void> {
    try {
      await this.#parts.producer.send({ topic, acks: -1, messages: slice.map(toRecord) });
    } catch (error) {
      throw kafkaPublishFailure(topic, error);
    }
  }

  // The broker's limit applies to each partition's batch; bounding the whole send bounds each.
  #slices(encoded: readonly EncodedMessage[]): EncodedMessage[][] {
    return sliceForSending(encoded, {
      maxCount: maxMessagesPerSlice,
      maxBytes: this.#parts.maxBatchBytes,
      sizeOf: (message) => message.size + Buffer.byteLength(message.key) + recordOverheadBytes,
    });
  }
}

function toRecord(message: EncodedMessage): Message {
  return { key: message.key, value: message.data, headers: { ...message.attributes } };
}
