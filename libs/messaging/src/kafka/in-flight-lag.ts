/**
 * The age of the oldest message this process has fetched and not yet finished, per partition.
 * Within a partition messages are handled in order, so the one being handled is the oldest one
 * left; a backlog the consumer has not fetched yet is not seen here (docs/messaging-kafka.md).
 */
export class InFlightLag {
  readonly #startedAt = new Map<number, number>();

  /** Records the produce time (epoch ms) of the message a partition is now handling. */
  handling(partition: number, timestampMs: number): void {
    this.#startedAt.set(partition, timestampMs);
  }

  /** The partition has nothing in hand any more. */
  idle(partition: number): void {
    this.#startedAt.delete(partition);
  }

  /** Seconds since the oldest in-flight message was produced; 0 when nothing is in hand. */
  seconds(now = Date.now()): number {
    const oldest = Math.min(...this.#startedAt.values());
    return Number.isFinite(oldest) ? Math.max(0, now - oldest) / 1000 : 0;
  }
}
