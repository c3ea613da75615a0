import type { Admin, ITopicConfig } from 'kafkajs';
import { AdminConnection } from './admin-connection.ts';
import { subscriptionTopics } from './kafka-topic-names.ts';

/** Partitions of a topic created for development: enough to show parallelism between keys. */
export const devTopicPartitions = 6;

// Dead letters wait for a person, who may take longer than the broker's default week.
const deadLetterRetentionMs = String(30 * 24 * 60 * 60 * 1000);

/**
 * Creates topics on first use, for development and tests (`createTopics: true`). Production
 * creates them beforehand with its own partition counts and replication; see
 * docs/messaging-kafka.md.
 */
export class TopicCreator {
  readonly #admin: AdminConnection;
  readonly #ensured = new Set<string>();

  constructor(admin: Admin) {
    this.#admin = new AdminConnection(admin);
  }

  async ensure(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.#ensured.has(topic));
    if (missing.length === 0) return;

    const admin = await this.#admin.ready();
    // Resolves false when they all exist already, which is as good as creating them.
    await admin.createTopics({ waitForLeaders: true, topics: missing.map(topicConfig) });
    for (const topic of missing) this.#ensured.add(topic);
  }

  /** Creates a subscription's topic with its retry and dead-letter topics. */
  async ensureSubscription(topic: string, subscription: string): Promise<void> {
    const { retry, deadLetter } = subscriptionTopics(topic, subscription);
    await this.ensure([topic, retry, deadLetter]);
  }

  async close(): Promise<void> {
    await this.#admin.close();
  }
}

function topicConfig(topic: string): ITopicConfig {
  const deadLetter = topic.endsWith('.dlq');
  return {
    topic,
    numPartitions: devTopicPartitions,
    replicationFactor: 1,
    ...(deadLetter
      ? { configEntries: [{ name: 'retention.ms', value: deadLetterRetentionMs }] }
      : {}),
  };
}
