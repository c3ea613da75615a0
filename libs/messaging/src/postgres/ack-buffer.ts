/**
 * Gathers acknowledgements so the broker gets one call for many messages: it sends when
 * `maxSize` are waiting or `maxDelayMs` after the first, whichever comes first, and on flush().
 * An acknowledgement that never arrives (the process died) only means a redelivery.
 */
export class AckBuffer {
  readonly #send: (messageIds: string[]) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  readonly #maxSize: number;
  readonly #maxDelayMs: number;
  #waiting: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();

  constructor(options: {
    send: (messageIds: string[]) => Promise<void>;
    onError: (error: unknown) => void;
    maxSize: number;
    maxDelayMs: number;
  }) {
    this.#send = options.send;
    this.#onError = options.onError;
    this.#maxSize = options.maxSize;
    this.#maxDelayMs = options.maxDelayMs;
  }

  add(messageId: string): void {
    this.#waiting.push(messageId);

    if (this.#waiting.length >= this.#maxSize) {
      void this.flush();
    } else {
      this.#timer ??= setTimeout(() => void this.flush(), this.#maxDelayMs);
    }
  }

  /** Sends what is waiting; resolves once every acknowledgement added so far was sent. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = this.#waiting.splice(0);

    // One call at a time, in order, so a flush() awaits every earlier send too.
    if (ids.length > 0) {
      this.#sending = this.#sending.then(() => this.#send(ids)).catch(this.#onError);
    }

    return this.#sending;
  }
}
