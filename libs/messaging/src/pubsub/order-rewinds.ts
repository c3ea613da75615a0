/**
 * Keeps a key in order after one of its messages is sent back for redelivery. Pub/Sub then
 * redelivers that message and every later message of the key, so the later ones this process
 * already received must not be handled now: they are sent back too and handled when they
 * return, after the failed one.
 */
export class OrderRewinds {
  readonly #rewoundAt = new Map<string, number>();

  /** A message of `key` was sent back for redelivery at `at` (epoch ms). */
  rewound(key: string, at = Date.now()): void {
    this.#rewoundAt.set(key, at);
  }

  /**
   * Whether a message of `key` received by the client at `receivedAt` (epoch ms) came before
   * the key was rewound, and so must be sent back as well. A message received afterwards is
   * part of the redelivery, which Pub/Sub sends in order, so the rewind is over.
   */
  mustSendBack(key: string, receivedAt: number): boolean {
    const rewoundAt = this.#rewoundAt.get(key);
    if (rewoundAt === undefined) return false;
    if (receivedAt <= rewoundAt) return true;

    this.#rewoundAt.delete(key);
    return false;
  }
}
