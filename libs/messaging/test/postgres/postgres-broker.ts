import { randomBytes } from 'node:crypto';
import { createTestDatabases, queryAs, type TestDatabases } from '@footfall/testing';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { MessagingMetrics, type Transport } from '../../src/index.ts';
import {
  createPostgresTransport,
  type PostgresTopicTopology,
  type PostgresTransportOptions,
  provisionPostgresTopology,
} from '../../src/postgres/index.ts';
import { testCatalogue } from '../contract/test-messages.ts';

export const producerRole = 'footfall_ingestion_app';
export const consumerRole = 'footfall_computation_app';

/** A dead letter as an operator reads it from the broker. */
export interface StoredDeadLetter {
  readonly envelopeId: string;
  readonly reason: string;
  readonly detail: string;
  readonly attempts: number;
}

/**
 * The messaging database of one test file, with helpers: fresh topics, transports acting as a
 * given service role (closed after each test), and the broker's tables as the admin sees them.
 * Call at the top level of a test file.
 */
export function usePostgresBroker() {
  let databases: TestDatabases | undefined;
  const opened: Transport[] = [];

  beforeAll(async () => {
    databases = await createTestDatabases();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  afterAll(async () => {
    await databases?.drop();
  });

  const messaging = () => {
    if (databases === undefined) throw new Error('test databases missing; see beforeAll');
    return databases.messaging;
  };
  const urlOf = (role: string) => messaging().clientUrls[role] ?? '';

  return {
    urlOf,
    ownerUrl: () => messaging().ownerUrl,
    adminUrl: () => messaging().adminUrl,

    /** A transport as `role`; extra options override the test defaults. */
    async open(
      role: string,
      topic: string,
      options: Partial<PostgresTransportOptions> = {},
    ): Promise<{ transport: Transport; registry: Registry }> {
      const registry = new Registry();
      const transport = await createPostgresTransport({
        connectionString: urlOf(role),
        metrics: new MessagingMetrics(registry),
        catalogue: testCatalogue(topic),
        pollIntervalMs: 100,
        ...options,
      });
      opened.push(transport);

      return { transport, registry };
    },

    /** A new topic the producer role publishes to, with subscriptions the consumer role reads. */
    async freshTopic(subscriptions = 1, maxAttempts?: number) {
      const topic = `test.${randomBytes(4).toString('hex')}`;
      const names = Array.from({ length: subscriptions }, (_, n) => `${topic}.sub${n}`);
      await this.provision({
        topic,
        publishers: [producerRole],
        subscriptions: names.map((name) => ({
          name,
          consumers: [consumerRole],
          ...(maxAttempts === undefined ? {} : { maxAttempts }),
        })),
      });

      return { topic, subscription: names[0] ?? '', subscriptions: names };
    },

    provision(...topology: PostgresTopicTopology[]): Promise<void> {
      return provisionPostgresTopology(messaging().ownerUrl, topology);
    },

    async readDeadLetters(subscription: string): Promise<StoredDeadLetter[]> {
      const result = await queryAs(
        messaging().adminUrl,
        `SELECT d.envelope_id AS "envelopeId", d.reason, d.detail, d.attempts
         FROM messaging.dead_letters d JOIN messaging.subscriptions s ON s.id = d.subscription_id
         WHERE s.name = $1 ORDER BY d.id`,
        [subscription],
      );

      return result.rows as StoredDeadLetter[];
    },

    /** How many deliveries the subscription still owes, whatever their state. */
    async countPending(subscription: string): Promise<number> {
      const result = await queryAs(
        messaging().adminUrl,
        `SELECT count(*)::int AS n FROM messaging.deliveries d
         JOIN messaging.subscriptions s ON s.id = d.subscription_id WHERE s.name = $1`,
        [subscription],
      );

      return result.rows[0]?.n ?? 0;
    },
  };
}
