import { pubsubEmulator } from '@footfall/testing';
import { PubSub, v1 } from '@google-cloud/pubsub';
import { grpcCodes, grpcStatus } from '../../src/pubsub/grpc-status.ts';
import { deadLetterName, ensureSubscriptionTopology } from '../../src/pubsub/index.ts';
import { defaultRetryPolicy } from '../../src/retry-policy.ts';

const pullTimeoutMs = 500;

type ReaderSettings = ConstructorParameters<typeof v1.SubscriberClient>[0];

/** The project every Pub/Sub test uses; the emulator accepts any name. */
export const testProjectId = 'footfall-test';

/** A message read back from a dead-letter subscription, attributes as sent. */
export interface ReadDeadLetter {
  readonly data: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * The emulator of a Pub/Sub test file: finds it, creates topology as an operator would, and
 * reads dead-letter subscriptions back. Close it in afterAll.
 */
export class PubSubTestEmulator {
  readonly #deadLetters = new Map<string, ReadDeadLetter[]>();
  #host: string | undefined;
  #pubsub: PubSub | undefined;
  #reader: v1.SubscriberClient | undefined;

  /** Why the tests cannot run here, or undefined once the emulator answered. */
  async unavailable(): Promise<string | undefined> {
    const found = await pubsubEmulator();
    if ('unavailable' in found) return found.unavailable;

    this.#host = found.host;
    return undefined;
  }

  get host(): string {
    if (this.#host === undefined) throw new TypeError('call unavailable() first');
    return this.#host;
  }

  get pubsub(): PubSub {
    this.#pubsub ??= new PubSub({
      projectId: testProjectId,
      apiEndpoint: this.host,
      emulatorMode: true,
      universeDomain: 'googleapis.com',
    });
    return this.#pubsub;
  }

  /**
   * Creates a topic, its subscriptions and their dead-letter topics and subscriptions, with the
   * default retry policy.
   */
  async provision(topic: string, subscriptions: readonly string[]): Promise<void> {
    for (const subscription of subscriptions) {
      await ensureSubscriptionTopology(this.pubsub, topic, subscription, defaultRetryPolicy);
    }
  }

  /** Every message dead-lettered so far for a subscription (read once, kept here). */
  async readDeadLetters(subscription: string): Promise<ReadDeadLetter[]> {
    const read = this.#deadLetters.get(subscription) ?? [];
    this.#deadLetters.set(subscription, read);

    read.push(...(await this.#pullAll(deadLetterName(subscription))));
    return [...read];
  }

  async close(): Promise<void> {
    await this.#reader?.close();
    await this.#pubsub?.close();
  }

  async #pullAll(subscription: string): Promise<ReadDeadLetter[]> {
    // The handwritten client's settings (emulator endpoint, no credentials) suit the generated one.
    const settings = (await this.pubsub.getClientConfig()) as ReaderSettings;
    this.#reader ??= new v1.SubscriberClient(settings);
    const name = this.pubsub.subscription(subscription).name;
    const received = await this.#pullOnce(this.#reader, name);

    const ackIds = received.map((entry) => entry.ackId ?? '');
    if (ackIds.length > 0) await this.#reader.acknowledge({ subscription: name, ackIds });
    return received.map((entry) => ({
      data: Buffer.from(entry.message?.data ?? '').toString('utf8'),
      attributes: { ...entry.message?.attributes },
    }));
  }

  // On an empty subscription a pull waits for messages, so it is cut short: nothing yet.
  async #pullOnce(reader: v1.SubscriberClient, subscription: string) {
    try {
      const request = { subscription, maxMessages: 1000, returnImmediately: true };
      const [response] = await reader.pull(request, { timeout: pullTimeoutMs, retry: null });
      return response.receivedMessages ?? [];
    } catch (error) {
      if (grpcStatus(error) === grpcCodes.deadlineExceeded) return [];
      throw error;
    }
  }
}

/** The envelope id in a message's data, when there is one to read. */
export function envelopeId(data: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null && 'id' in parsed
      ? String(parsed.id)
      : undefined;
  } catch {
    return undefined;
  }
}
