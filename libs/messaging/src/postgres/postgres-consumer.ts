import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ContractCatalogue, MessageHandler, MessagingLogger } from '../message.ts';
import type { MessagingMetrics } from '../messaging-metrics.ts';
import {
  type DeliveryContext,
  type DeliveryOutcome,
  processDelivery,
} from '../process-delivery.ts';
import type { RetryPolicy } from '../transport.ts';
import { AckBuffer } from './ack-buffer.ts';
import {
  acknowledge,
  type Claim,
  type ClaimedDelivery,
  type ConsumerIdentity,
  claimDeliveries,
  deadLetter,
  extendLeases,
  release,
  retryLater,
} from './broker-calls.ts';

export interface PostgresConsumerOptions {
  readonly pool: pg.Pool;
  readonly topic: string;
  readonly subscription: string;
  readonly handler: MessageHandler;
  readonly concurrency: number;
  readonly policy: RetryPolicy;
  readonly metrics: MessagingMetrics;
  readonly catalogue: ContractCatalogue | undefined;
  readonly logger: MessagingLogger | undefined;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly visibilityTimeoutMs: number;
}

/**
 * One consumer of one subscription: claims a batch of deliveries, handles them, settles each
 * with the broker, and claims again at once while there is more; otherwise it waits for a
 * NOTIFY (wake()) or the poll interval. Deliveries of one key are handled one after another,
 * in order; up to `concurrency` keys at a time.
 */
export class PostgresConsumer {
  readonly #options: PostgresConsumerOptions;
  readonly #identity: ConsumerIdentity;
  readonly #acks: AckBuffer;
  #closing = false;
  #woken = false;
  #endIdle: (() => void) | undefined;
  #loop: Promise<void> = Promise.resolve();

  constructor(options: PostgresConsumerOptions) {
    this.#options = options;
    this.#identity = { subscription: options.subscription, token: randomUUID() };
    // Counted once the broker has the acknowledgements: a failed call counts nothing.
    this.#acks = new AckBuffer({
      send: async (ids) => {
        const acknowledged = await acknowledge(options.pool, this.#identity, ids);
        options.metrics.acknowledged.inc(this.#labels(), acknowledged);
      },
      onError: (error) => this.#warn(error, 'acknowledging failed; the messages will come again'),
      maxSize: options.batchSize,
      maxDelayMs: 20,
    });
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Claim again as soon as the current batch is done: the topic received messages. */
  wake(): void {
    this.#woken = true;
    this.#endIdle?.();
  }

  /** Stops claiming, lets running handlers finish, hands back what was never started. */
  async close(): Promise<void> {
    this.#closing = true;
    this.wake();
    await this.#loop;
    await this.#acks.flush();
  }

  async #run(): Promise<void> {
    while (!this.#closing) {
      const claimed = await this.#claim();
      if (claimed.length > 0) await this.#handleBatch(claimed);
      if (claimed.length < this.#options.batchSize) await this.#idle();
    }
  }

  async #claim(): Promise<ClaimedDelivery[]> {
    const { pool, batchSize, visibilityTimeoutMs } = this.#options;
    // Reset first: a NOTIFY arriving from here on may announce what this claim misses.
    this.#woken = false;

    try {
      const claim = await claimDeliveries(pool, this.#identity, batchSize, visibilityTimeoutMs);
      this.#countBrokerDeadLetters(claim.deadLettered);
      return [...claim.deliveries];
    } catch (error) {
      this.#warn(error, 'claiming messages failed; trying again');
      return [];
    }
  }

  // The broker buried these itself (their consumers kept dying); this claim is the only one
  // that sees them, so it counts them as every other dead letter is counted.
  #countBrokerDeadLetters(deadLettered: Claim['deadLettered']): void {
    if (deadLettered.length === 0) return;

    const { metrics, logger } = this.#options;
    metrics.deadLettered.inc({ ...this.#labels(), reason: 'lease-expired' }, deadLettered.length);
    for (const { messageId, attempt } of deadLettered) {
      logger?.warn({ ...this.#labels(), messageId, attempt }, 'message dead-lettered');
    }
  }

  #idle(): Promise<void> {
    if (this.#woken || this.#closing) return Promise.resolve();

    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#endIdle = undefined;
        resolve();
      };
      const timer = setTimeout(end, this.#options.pollIntervalMs);
      this.#endIdle = end;
    });
  }

  async #handleBatch(claimed: readonly ClaimedDelivery[]): Promise<void> {
    const stopExtending = this.#keepLeases(claimed);

    try {
      const chains = [...groupByKey(claimed).values()];
      await runLimited(chains, this.#options.concurrency, (chain) => this.#handleChain(chain));
      await this.#acks.flush();
    } finally {
      stopExtending();
    }
  }

  // After a failure the rest of the key's chain goes back unstarted: the broker keeps the key
  // blocked until the failed message has been handled again, so order is kept.
  async #handleChain(chain: readonly ClaimedDelivery[]): Promise<void> {
    for (const [index, delivery] of chain.entries()) {
      if (this.#closing) return this.#release(chain.slice(index));

      const outcome = await processDelivery(this.#toDelivery(delivery), this.#context());
      if (!(await this.#settle(delivery, outcome))) return this.#release(chain.slice(index + 1));
    }
  }

  // Resolves whether the next message of the same key may go ahead.
  async #settle(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
    const { pool } = this.#options;
    const id = delivery.messageId;

    try {
      switch (outcome.action) {
        case 'ack':
          this.#acks.add(id);
          return true;
        case 'retry':
          await retryLater(pool, this.#identity, id, outcome.delayMs, outcome.error);
          return false;
        case 'dead-letter':
          await deadLetter(pool, this.#identity, id, outcome.reason, outcome.detail);
          return true;
      }
    } catch (error) {
      this.#warn(error, 'settling a message failed; it will come again when its lease ends');
      return false;
    }
  }

  async #release(deliveries: readonly ClaimedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;

    const ids = deliveries.map((delivery) => delivery.messageId);
    await release(this.#options.pool, this.#identity, ids).catch((error: unknown) => {
      this.#warn(error, 'handing messages back failed; they will come again when their lease ends');
    });
  }

  // Handlers that run longer than a third of the lease get it renewed, so a slow handler is
  // not mistaken for a dead consumer; a dead consumer renews nothing and its leases run out.
  #keepLeases(claimed: readonly ClaimedDelivery[]): () => void {
    const { pool, visibilityTimeoutMs } = this.#options;
    const ids = claimed.map((delivery) => delivery.messageId);
    const renew = () =>
      extendLeases(pool, this.#identity, ids, visibilityTimeoutMs).catch((error: unknown) => {
        this.#warn(error, 'extending leases failed');
      });

    const timer = setInterval(renew, Math.max(100, visibilityTimeoutMs / 3));
    return () => clearInterval(timer);
  }

  #context(): DeliveryContext {
    const { handler, policy, metrics, catalogue } = this.#options;

    return catalogue === undefined
      ? { handler, policy, metrics }
      : { handler, policy, metrics, catalogue };
  }

  #toDelivery(delivery: ClaimedDelivery) {
    const { topic, subscription } = this.#options;
    const { data, attributes, attempt } = delivery;

    return { topic, subscription, data, attributes, attempt };
  }

  #labels(): { topic: string; subscription: string } {
    const { topic, subscription } = this.#options;
    return { topic, subscription };
  }

  #warn(error: unknown, message: string): void {
    const { topic, subscription, logger } = this.#options;
    logger?.warn({ err: error, topic, subscription }, message);
  }
}

function groupByKey(deliveries: readonly ClaimedDelivery[]): Map<string, ClaimedDelivery[]> {
  const chains = new Map<string, ClaimedDelivery[]>();

  for (const delivery of deliveries) {
    const chain = chains.get(delivery.key) ?? [];
    chain.push(delivery);
    chains.set(delivery.key, chain);
  }

  return chains;
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
