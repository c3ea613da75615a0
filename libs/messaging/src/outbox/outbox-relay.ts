import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { MessagingLogger, OutgoingMessage } from '../message.ts';
import type { Transport } from '../transport.ts';
import { qualified } from './outbox-writer.ts';

export interface OutboxRelayOptions {
  readonly pool: pg.Pool;
  /** The outbox table, `schema.table`, with the columns of docs/messaging.md. */
  readonly table: string;
  readonly transport: Transport;
  /** @default 500 */
  readonly batchSize?: number;
  /** How often to look for new rows when idle. @default 200 */
  readonly pollIntervalMs?: number;
  /** Published rows are deleted after this long. @default one day */
  readonly retentionMs?: number;
  readonly logger?: MessagingLogger;
  /** Called after publishing and before marking rows sent; tests use it to simulate a crash. */
  readonly afterPublish?: (ids: readonly string[]) => Promise<void>;
}

interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly message: OutgoingMessage;
}

/**
 * Publishes what producers wrote to their outbox, then marks it sent, in one transaction that
 * holds a transaction-scoped advisory lock: among several replicas only one relays at a time,
 * so a message is never published twice concurrently and order is kept. A crash after
 * publishing but before the commit publishes those rows again (same ids) on the next round:
 * at-least-once, which idempotent consumers turn into exactly one effect.
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Looks at the outbox now instead of at the next poll; call after committing new rows. */
  nudge(): void {
    this.#wake?.();
  }

  /** Finishes the round in progress and stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.nudge();
    await this.#running;
  }

  /** Relays one batch; resolves with how many messages it published. */
  async relayOnce(): Promise<number> {
    const client = await this.#options.pool.connect();

    try {
      await client.query('BEGIN');
      const published = await this.#relayLocked(client);
      await client.query('COMMIT');
      return published;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #relayLocked(client: pg.PoolClient): Promise<number> {
    const table = qualified(this.#options.table);
    const lock = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
      [`footfall:outbox:${this.#options.table}`],
    );
    if (lock.rows[0]?.locked !== true) return 0;

    const rows = await client.query<OutboxRow>(
      `SELECT id, topic, message FROM ${table} WHERE published_at IS NULL
       ORDER BY position LIMIT $1`,
      [this.#options.batchSize ?? 500],
    );
    if (rows.rows.length === 0) return 0;

    await this.#publish(rows.rows);
    const ids = rows.rows.map((row) => row.id);
    await this.#options.afterPublish?.(ids);
    await client.query(`UPDATE ${table} SET published_at = now() WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
    return ids.length;
  }

  /** Publishes consecutive rows of one topic together, keeping the outbox's order. */
  async #publish(rows: readonly OutboxRow[]): Promise<void> {
    let start = 0;

    while (start < rows.length) {
      const topic = rows[start]?.topic ?? '';
      let end = start;
      while (end < rows.length && rows[end]?.topic === topic) end += 1;

      await this.#options.transport.publish(
        topic,
        rows.slice(start, end).map((row) => row.message),
      );
      start = end;
    }
  }

  async #loop(): Promise<void> {
    let lastCleanup = 0;

    while (!this.#stopping) {
      const published = await this.relayOnce().catch((error: unknown) => {
        this.#options.logger?.error(
          { err: error, table: this.#options.table },
          'outbox relay failed',
        );
        return 0;
      });

      if (Date.now() - lastCleanup > 60_000) {
        lastCleanup = Date.now();
        await this.#deletePublished().catch(() => undefined);
      }

      if (published === 0) await this.#idle();
    }
  }

  async #idle(): Promise<void> {
    const controller = new AbortController();
    this.#wake = () => controller.abort();
    await sleep(this.#options.pollIntervalMs ?? 200, undefined, {
      signal: controller.signal,
    }).catch(() => undefined);
    this.#wake = undefined;
  }

  async #deletePublished(): Promise<void> {
    const retentionMs = this.#options.retentionMs ?? 24 * 60 * 60 * 1000;
    await this.#options.pool.query(
      `DELETE FROM ${qualified(this.#options.table)}
       WHERE published_at < now() - make_interval(secs => $1)`,
      [retentionMs / 1000],
    );
  }
}
