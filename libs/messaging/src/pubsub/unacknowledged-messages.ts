import type { Message } from '@google-cloud/pubsub';

/**
 * The messages this process has received and not yet acknowledged or sent back, for the lag
 * gauge. It sees nothing of the backlog still on the server: Cloud Monitoring's
 * `subscription/oldest_unacked_message_age` is the real lag (docs/messaging-pubsub.md).
 */
export class UnacknowledgedMessages {
  readonly #publishedAt = new Map<Message, number>();

  add(message: Message): void {
    this.#publishedAt.set(message, message.publishTime.getTime());
  }

  remove(message: Message): void {
    this.#publishedAt.delete(message);
  }

  /** Seconds since the oldest of them was published; 0 when there are none. */
  oldestAgeSeconds(now = Date.now()): number {
    const oldest = Math.min(...this.#publishedAt.values());
    return Number.isFinite(oldest) ? Math.max(0, now - oldest) / 1000 : 0;
  }
}
