interface Window {
  count: number;
  readonly endsAt: number;
}

/** A request counted in its client's window, or the seconds until that window has room. */
export type Take =
  | { readonly taken: true; readonly giveBack: () => void }
  | { readonly taken: false; readonly retryAfterSeconds: number };

/**
 * The requests each client made in its current window on this replica: a fixed window per client,
 * opened by its first request, as @fastify/rate-limit counts an address. A request is counted when
 * it starts, so a burst cannot overshoot the limit while its requests are in flight, and given back
 * once its answer shows it should not have counted. Keys are registered client ids, so the map
 * stays as small as the list of clients.
 */
export class ClientRequestCounts {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();

  constructor(max: number, windowSeconds: number) {
    this.#max = max;
    this.#windowMs = windowSeconds * 1000;
  }

  /** Counts a request of this client, unless its window is full. */
  take(clientId: string): Take {
    const now = Date.now();
    const window = this.#currentWindow(clientId, now);
    if (window.count >= this.#max) {
      return { taken: false, retryAfterSeconds: Math.ceil((window.endsAt - now) / 1000) };
    }

    window.count += 1;
    const giveBack = () => {
      window.count -= 1;
    };
    return { taken: true, giveBack };
  }

  #currentWindow(clientId: string, now: number): Window {
    const current = this.#windows.get(clientId);
    if (current !== undefined && current.endsAt > now) return current;

    const opened = { count: 0, endsAt: now + this.#windowMs };
    this.#windows.set(clientId, opened);
    return opened;
  }
}
