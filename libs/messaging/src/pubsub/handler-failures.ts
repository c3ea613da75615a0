/**
 * How often the handler failed on each message, by Pub/Sub message id, for the attempt number
 * processDelivery works with. Pub/Sub's own `deliveryAttempt` counts every delivery, and on an
 * ordered subscription each failure sends the later messages of its key back too, so a healthy
 * message behind a failing one would reach the attempt limit without ever having failed.
 *
 * The count lives in this process: a message that moves to another consumer (this one closed or
 * died) starts again from 1 there, and the subscription's `maxDeliveryAttempts` stays the
 * overall bound. Entries go when the message is settled; the oldest go first beyond `capacity`,
 * which only a failed message that was then redelivered elsewhere can leave behind.
 */
export class HandlerFailures {
  readonly #failures = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** The attempt the next delivery of `messageId` is: 1 while its handler has not failed here. */
  attemptOf(messageId: string): number {
    return (this.#failures.get(messageId) ?? 0) + 1;
  }

  failed(messageId: string): void {
    const failures = this.attemptOf(messageId);
    this.#failures.delete(messageId);
    this.#failures.set(messageId, failures);

    for (const oldest of this.#failures.keys()) {
      if (this.#failures.size <= this.#capacity) break;
      this.#failures.delete(oldest);
    }
  }

  /** The message was acknowledged or dead-lettered: nothing more to count. */
  settled(messageId: string): void {
    this.#failures.delete(messageId);
  }
}
