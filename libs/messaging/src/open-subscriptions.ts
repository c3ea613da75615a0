import { MessagingError } from './messaging-error.ts';
import type { Subscription, TransportName } from './transport.ts';

/**
 * The subscriptions of one transport, those still opening included. `closeAll` waits for every
 * opening to finish and closes what it opened, so no consumer outlives its transport, not even
 * one whose `subscribe` was still waiting for the broker when `close` began.
 */
export class OpenSubscriptions<Opened extends Subscription = Subscription> {
  readonly #transport: TransportName;
  /** Each open subscription with the handle its owner holds. */
  readonly #open = new Map<Opened, Subscription>();
  readonly #opening = new Set<Promise<unknown>>();
  #closing = false;

  constructor(transport: TransportName) {
    this.#transport = transport;
  }

  /** Throws `MESSAGING_CLOSED` once the transport has begun closing. */
  assertOpen(): void {
    if (this.#closing) {
      throw new MessagingError('MESSAGING_CLOSED', { transport: this.#transport });
    }
  }

  /**
   * Runs `open` and keeps what it opened until its handle or `closeAll` closes it. If closing
   * began meanwhile, the new subscription is closed at once and the call is refused.
   */
  async add(open: () => Promise<Opened>): Promise<Subscription> {
    this.assertOpen();
    const adding = this.#openAndKeep(open);
    this.#opening.add(adding);

    try {
      return await adding;
    } finally {
      this.#opening.delete(adding);
    }
  }

  /** The subscriptions open now, for health checks. */
  opened(): Opened[] {
    return [...this.#open.keys()];
  }

  /** Refuses new subscriptions, lets those opening finish, then closes every one. */
  async closeAll(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#opening]);
    await Promise.all([...this.#open.values()].map((handle) => handle.close()));
  }

  async #openAndKeep(open: () => Promise<Opened>): Promise<Subscription> {
    const opened = await open();

    if (this.#closing) {
      await opened.close();
      this.assertOpen();
    }

    const handle = this.#handle(opened);
    this.#open.set(opened, handle);
    return handle;
  }

  // Closes once however often it is called, by its owner or by closeAll, then leaves the map.
  #handle(opened: Opened): Subscription {
    let closing: Promise<void> | undefined;

    return {
      close: () => {
        closing ??= opened.close().finally(() => this.#open.delete(opened));
        return closing;
      },
    };
  }
}
