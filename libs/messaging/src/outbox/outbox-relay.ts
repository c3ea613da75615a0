import { setTimeout as sleep } from 'node:timers/promises';
import { withTransaction } from '@footfall/db';
import type pg from 'pg';
import { describeError } from '../error-description.ts';
import type { MessagingLogger } from '../message.ts';
import type { Transport } from '../transport.ts';
import type { OutboxMetrics } from './outbox-metrics.ts';
import { qualified } from './outbox-writer.ts';
import { type OutboxRow, type PublishOutcome, publishRows } from './publish-rows.ts';

export interface OutboxRelayOptions {
  readonly pool: pg.Pool;
  /** The outbox table, `schema.table`, with the columns of docs/messaging.md. */
  readonly table: string;
  readonly transport: Transport;
  /** @default 500 */
  readonly batchSize?: number;
  /** How often to look for new rows when idle; the first backoff after a failure. @default 200 */
  readonly pollIntervalMs?: number;
  /** The longest wait between rounds while they keep failing. @default 30000 */
  readonly maxBackoffMs?: number;
  /**
   * How long one publish call may take before the round gives up on it and ends its
   * transaction and lock; keep it below the pool's idle-in-transaction timeout (60 s with
   * @footfall/db's createPool). @default 20000
   */
  readonly publishTimeoutMs?: number;
  /** Published rows are deleted after this long. @default one day */
  readonly retentionMs?: number;
  readonly logger?: MessagingLogger;
  /** Counts parked rows and failed rounds. */
  readonly metrics?: OutboxMetrics;
  /** Called after publishing and before marking rows sent; tests use it to simulate a crash. */
  readonly afterPublish?: (ids: readonly string[]) => Promise<void>;
}

/** What a round did: published rows, and rows parked because they can never be published. */
interface Round {
  readonly published: number;
  readonly parked: number;
}

// The cap of parked_error: enough for a coded message with its details, never a payload.
const maxErrorLength = 1000;

/**
 * Publishes what producers wrote to their outbox, then marks it sent, in one transaction that
 * holds a transaction-scoped advisory lock: among several replicas only one relays at a time,
 * so a message is never published twice concurrently and order is kept. A crash after
 * publishing but before the commit publishes those rows again (same ids) on the next round:
 * at-least-once, which idempotent consumers turn into exactly one effect.
 *
 * A row the transport refuses for good (too large, an unknown contract, a topic this service
 * may no longer publish to) is parked with its error, counted and logged once, and the rows
 * behind it go on; see publishRows for how few calls that takes. Any other failure ends the
 * round, and the next one waits, doubling from `pollIntervalMs` to `maxBackoffMs` while they
 * keep failing.
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #interrupt: (() => void) | undefined;

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
    this.#interrupt?.();
    await this.#running;
  }

  /** Relays one batch; resolves with how many messages it published. */
  async relayOnce(): Promise<number> {
    return (await this.#relayRound()).published;
  }

  // withTransaction destroys a connection whose ROLLBACK failed (after a statement timed out,
  // say) rather than pool it still inside the round's transaction, holding the lock.
  async #relayRound(): Promise<Round> {
    const outcome = await withTransaction(this.#options.pool, (client) =>
      this.#relayLocked(client),
    );
    this.#reportParked(outcome);

    // What the round did before a failure is committed; the failure delays the next round.
    if (outcome.failure !== undefined) throw outcome.failure;
    return { published: outcome.sent.length, parked: outcome.parked.length };
  }

  async #relayLocked(client: pg.PoolClient): Promise<PublishOutcome> {
    const lock = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
      [`footfall:outbox:${this.#options.table}`],
    );
    if (lock.rows[0]?.locked !== true) return { sent: [], parked: [] };

    const rows = await this.#unpublished(client);
    if (rows.length === 0) return { sent: [], parked: [] };

    const outcome = await publishRows(rows, this.#options.transport, this.#publishTimeoutMs());
    await this.#options.afterPublish?.(outcome.sent);
    await this.#mark(client, outcome);
    return outcome;
  }

  async #unpublished(client: pg.PoolClient): Promise<OutboxRow[]> {
    const result = await client.query<OutboxRow>(
      `SELECT id, topic, message FROM ${qualified(this.#options.table)}
       WHERE published_at IS NULL AND parked_at IS NULL ORDER BY position LIMIT $1`,
      [this.#options.batchSize ?? 500],
    );

    return result.rows;
  }

  async #mark(client: pg.PoolClient, outcome: PublishOutcome): Promise<void> {
    const table = qualified(this.#options.table);
    await client.query(`UPDATE ${table} SET published_at = now() WHERE id = ANY($1::uuid[])`, [
      outcome.sent,
    ]);

    if (outcome.parked.length === 0) return;
    await client.query(
      `UPDATE ${table} SET parked_at = now(), parked_error = e.error
       FROM unnest($1::uuid[], $2::text[]) AS e(id, error) WHERE ${table}.id = e.id`,
      [
        outcome.parked.map(({ row }) => row.id),
        outcome.parked.map(({ error }) => describeError(error, maxErrorLength)),
      ],
    );
  }

  // Once, after the commit: a parked row is not tried again until an operator releases it.
  #reportParked(outcome: PublishOutcome): void {
    const { table, logger, metrics } = this.#options;
    if (outcome.parked.length === 0) return;

    metrics?.parked.inc({ table }, outcome.parked.length);
    for (const { row, error } of outcome.parked) {
      const details = { table, id: row.id, topic: row.topic, err: error };
      logger?.error(details, 'outbox row parked: it cannot be published');
    }
  }

  async #loop(): Promise<void> {
    let lastCleanup = 0;
    let failures = 0;

    while (!this.#stopping) {
      const round = await this.#relayRound().catch((error: unknown) => {
        failures += 1;
        this.#reportFailure(error, failures);
        return undefined;
      });
      if (round !== undefined) failures = 0;

      if (Date.now() - lastCleanup > 60_000) {
        lastCleanup = Date.now();
        await this.#deletePublished().catch(() => undefined);
      }

      if (round === undefined) await this.#idle(this.#backoffMs(failures), false);
      else if (round.published + round.parked === 0) await this.#idle(this.#pollMs(), true);
    }
  }

  #reportFailure(error: unknown, failures: number): void {
    const { table, logger, metrics } = this.#options;
    const retryInMs = this.#backoffMs(failures);

    metrics?.failedRounds.inc({ table });
    logger?.error({ err: error, table, failures, retryInMs }, 'outbox relay failed');
  }

  /** Waits; a nudge ends the wait only when idle, never a backoff; stop() ends either. */
  async #idle(ms: number, nudgeable: boolean): Promise<void> {
    if (this.#stopping) return;

    const controller = new AbortController();
    const end = () => controller.abort();
    this.#interrupt = end;
    if (nudgeable) this.#wake = end;

    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
    this.#wake = undefined;
    this.#interrupt = undefined;
  }

  #pollMs(): number {
    return this.#options.pollIntervalMs ?? 200;
  }

  #backoffMs(failures: number): number {
    return Math.min(this.#pollMs() * 2 ** failures, this.#options.maxBackoffMs ?? 30_000);
  }

  #publishTimeoutMs(): number {
    return this.#options.publishTimeoutMs ?? 20_000;
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
