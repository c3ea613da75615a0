/**
 * The handlers one subscription may run at once. Its two consumers (the topic's and the retry
 * topic's) each let kafkajs work on `concurrency` partitions, so they take a slot here before
 * each message: `concurrency` then bounds the two together, as it does on other transports.
 */
export class HandlerSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Resolves with the release of a slot once one is free; waiters are served in order. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) {
      this.#free -= 1;
    } else {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }

    return this.#releaseOnce();
  }

  // A freed slot goes straight to the next waiter, so it cannot be taken twice.
  #releaseOnce(): () => void {
    let released = false;

    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) this.#free += 1;
      else next();
    };
  }
}
