import { createPool, pingDatabase } from '@footfall/db';
import type pg from 'pg';
import { encodeMessage } from '../envelope-codec.ts';
import { makeFirstContact } from '../first-contact.ts';
import type { OutgoingMessage, TransportDependencies } from '../message.ts';
import { OpenSubscriptions } from '../open-subscriptions.ts';
import { maxMessagesPerSlice, sliceForSending } from '../publish-slices.ts';
import { resolveRetryPolicy } from '../retry-policy.ts';
import type { SubscribeOptions, Subscription, Transport } from '../transport.ts';
import {
  cleanUpMessages,
  openSubscription,
  publishMessages,
  readLagSeconds,
} from './broker-calls.ts';
import { NotificationListener } from './notification-listener.ts';
import { PostgresConsumer } from './postgres-consumer.ts';
import { topicChannel } from './topic-channel.ts';

export interface PostgresTransportOptions extends TransportDependencies {
  /** The messaging database (`footfall_messaging`), as this service's runtime role. */
  readonly connectionString: string;
  /** How often an idle consumer looks for work when no NOTIFY woke it. @default 1000 */
  readonly pollIntervalMs?: number;
  /**
   * How long a claimed message stays with its consumer before another may take it; renewed
   * every third of it while the handler runs, so it bounds how long a dead consumer's messages
   * wait, not how long a handler may take. @default 30000
   */
  readonly visibilityTimeoutMs?: number;
  /** Messages claimed per call, and acknowledged per call. @default 100 */
  readonly batchSize?: number;
  /** How often this process deletes messages every subscription is done with. @default 10000 */
  readonly cleanupIntervalMs?: number;
  /** @default 5 */
  readonly maxConnections?: number;
}

// A single publish() of many messages is sent in slices, each one call and one transaction,
// small enough that one call never carries hundreds of megabytes of large messages.
const publishSlice = { maxCount: maxMessagesPerSlice, maxBytes: 8 * 1024 * 1024 };
// Up to 500,000 messages per run, 5,000 per transaction (measured: about 20 ms each).
const cleanupSliceSize = 5_000;
const cleanupMaxSlices = 100;

/**
 * The postgres transport: the broker is the `footfall_messaging` database, reached only through
 * its functions (docs/messaging-postgres.md). Resolves once the database answered, so a wrong
 * URL or password fails at start-up.
 */
export async function createPostgresTransport(
  options: PostgresTransportOptions,
): Promise<Transport> {
  const settings = resolveSettings(options);
  const pool = createPool({
    connectionString: options.connectionString,
    applicationName: 'footfall-messaging',
    max: settings.maxConnections,
    onIdleError: (error) => options.logger?.warn({ err: error }, 'messaging connection lost'),
  });

  await makeFirstContact({
    transport: 'postgres',
    target: databaseOf(options.connectionString),
    contact: () => pingDatabase(pool),
    cleanUp: () => pool.end(),
  });
  return new PostgresTransport(pool, options, settings);
}

// Host, port and database only: the URL's password must never reach an error message.
function databaseOf(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the messaging database';
  }
}

type Settings = Required<
  Pick<
    PostgresTransportOptions,
    'pollIntervalMs' | 'visibilityTimeoutMs' | 'batchSize' | 'cleanupIntervalMs' | 'maxConnections'
  >
>;

function resolveSettings(options: PostgresTransportOptions): Settings {
  const settings = {
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 30_000,
    batchSize: options.batchSize ?? 100,
    cleanupIntervalMs: options.cleanupIntervalMs ?? 10_000,
    maxConnections: options.maxConnections ?? 5,
  };

  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  return settings;
}

class PostgresTransport implements Transport {
  readonly name = 'postgres';
  readonly #pool: pg.Pool;
  readonly #options: PostgresTransportOptions;
  readonly #settings: Settings;
  readonly #listener: NotificationListener;
  readonly #subscriptions = new OpenSubscriptions('postgres');
  #cleanupTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(pool: pg.Pool, options: PostgresTransportOptions, settings: Settings) {
    this.#pool = pool;
    this.#options = options;
    this.#settings = settings;
    this.#listener = new NotificationListener(options.connectionString, options.logger);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    this.#subscriptions.assertOpen();
    // Every message is checked before any is sent: a bad one is the producer's bug.
    const { catalogue } = this.#options;
    const encoded = messages.map((message) => encodeMessage(topic, message, catalogue));

    for (const slice of sliceForSending(encoded, publishSlice)) {
      await publishMessages(this.#pool, topic, slice);
    }

    this.#options.metrics.published.inc({ topic }, encoded.length);
    return encoded.map((message) => message.id);
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.#subscriptions.add(() => this.#open(options));
  }

  async check(): Promise<void> {
    this.#subscriptions.assertOpen();
    await pingDatabase(this.#pool);
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    // Subscriptions still opening finish first and are closed with the rest, pool still up.
    await this.#subscriptions.closeAll();
    clearInterval(this.#cleanupTimer);
    await this.#listener.close();
    await this.#pool.end();
  }

  async #open(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.#createConsumer(options);
    const { topic, subscription } = options;
    await openSubscription(this.#pool, topic, subscription);

    const unlisten = await this.#listener.listen(topicChannel(topic), () => consumer.wake());
    const untrack = this.#options.metrics.trackLag(topic, subscription, () =>
      readLagSeconds(this.#pool, subscription),
    );
    consumer.start();
    this.#startCleanup();

    return {
      close: async () => {
        await consumer.close();
        untrack();
        await unlisten();
      },
    };
  }

  #createConsumer(options: SubscribeOptions): PostgresConsumer {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`concurrency must be a positive integer, got ${concurrency}`);
    }

    const { metrics, logger } = this.#options;
    return new PostgresConsumer({
      ...this.#settings,
      pool: this.#pool,
      topic: options.topic,
      subscription: options.subscription,
      handler: options.handler,
      concurrency,
      policy: resolveRetryPolicy(options.retry),
      metrics,
      catalogue: this.#options.catalogue,
      logger,
    });
  }

  // Acknowledged messages are deleted in the background by whichever consuming process gets
  // there first; runs in other processes at the same moment return at once.
  #startCleanup(): void {
    if (this.#cleanupTimer !== undefined) return;

    this.#cleanupTimer = setInterval(() => void this.#cleanUp(), this.#settings.cleanupIntervalMs);
    this.#cleanupTimer.unref();
  }

  async #cleanUp(): Promise<void> {
    try {
      for (let slice = 0; slice < cleanupMaxSlices; slice += 1) {
        if ((await cleanUpMessages(this.#pool, cleanupSliceSize)) < cleanupSliceSize) return;
      }
    } catch (error) {
      this.#options.logger?.warn({ err: error }, 'deleting finished messages failed');
    }
  }
}
