/**
 * Runs the work of one ordering key at a time, in the order it arrived, while different keys
 * run side by side. The Pub/Sub client hands over a key's messages in order but does not wait
 * for one handler to finish before starting the next, so the order is kept here.
 */
export class OrderingKeyQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Queues `work` behind the key's earlier work; `work` should not reject. */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(work).catch(() => {});
    this.#tails.set(key, next);

    // Forget keys with nothing queued, so the map holds only keys in hand.
    void next.then(() => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    });
    return next;
  }
}
