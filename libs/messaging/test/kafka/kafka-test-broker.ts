import { randomUUID } from 'node:crypto';
import { findKafkaBrokers } from '@footfall/testing';
import { type Consumer, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { subscriptionTopics, topicsOfSubscription } from '../../src/kafka/index.ts';

/** A message read back from a topic by a test, headers as text. */
export interface ReadMessage {
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The broker of a Kafka test file: finds it, creates topics as an operator would, and reads
 * topics back from the start with throwaway consumer groups. Close it in afterAll.
 */
export class KafkaTestBroker {
  readonly #readers = new Map<string, { consumer: Consumer; messages: ReadMessage[] }>();
  #kafka: Kafka | undefined;
  #brokers: string | undefined;

  /** Why the tests cannot run here, or undefined once the broker answered. */
  async unavailable(): Promise<string | undefined> {
    const found = await findKafkaBrokers();
    this.#brokers = found.brokers;
    return found.reason;
  }

  get brokers(): string {
    if (this.#brokers === undefined) throw new TypeError('call unavailable() first');
    return this.#brokers;
  }

  get kafka(): Kafka {
    this.#kafka ??= new Kafka({
      clientId: 'footfall-kafka-tests',
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    return this.#kafka;
  }

  /** Creates a topic with the retry and dead-letter topics of each subscription. */
  async provision(topic: string, subscriptions: readonly string[]): Promise<void> {
    const names = new Set([topic, ...subscriptions.flatMap((s) => topicsOfSubscription(topic, s))]);
    const admin = this.kafka.admin();

    await admin.connect();
    try {
      const topics = [...names].map((name) => ({
        topic: name,
        numPartitions: 3,
        replicationFactor: 1,
      }));
      await admin.createTopics({ waitForLeaders: true, topics });
    } finally {
      await admin.disconnect();
    }
  }

  /** Everything on a topic so far; the first call starts a reader that keeps collecting. */
  async read(topic: string): Promise<ReadMessage[]> {
    const reader = this.#readers.get(topic) ?? (await this.#startReader(topic));
    return [...reader.messages];
  }

  async readDeadLetters(topic: string, subscription: string): Promise<ReadMessage[]> {
    return this.read(subscriptionTopics(topic, subscription).deadLetter);
  }

  /** The offset a consumer group committed on each partition of a topic (-1: none). */
  async committedOffsets(groupId: string, topic: string): Promise<number[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (offsets?.partitions ?? []).map((partition) => Number(partition.offset));
    } finally {
      await admin.disconnect();
    }
  }

  /** How many messages a topic has ever received (its partitions' end offsets added up). */
  async messageCount(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#readers.values()].map(({ consumer }) => consumer.disconnect()));
    this.#readers.clear();
  }

  async #startReader(topic: string) {
    const consumer = this.kafka.consumer({
      groupId: `test-reader.${randomUUID()}`,
      maxWaitTimeInMs: 200,
    });
    const reader = { consumer, messages: [] as ReadMessage[] };
    this.#readers.set(topic, reader);

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        reader.messages.push(toReadMessage(message));
      },
    });
    return reader;
  }
}

function toReadMessage(message: KafkaMessage): ReadMessage {
  const headers = Object.entries(message.headers ?? {}).map(([name, value]) => [
    name,
    String(Array.isArray(value) ? value.at(-1) : value),
  ]);

  return {
    key: message.key?.toString(),
    value: message.value?.toString(),
    headers: Object.fromEntries(headers),
  };
}
