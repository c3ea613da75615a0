/** A dependency probe: resolves when the dependency answers, rejects (or times out) when not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, 'ok' | 'failing' | 'timeout'>>;
}

/**
 * The dependencies a service needs before it can serve, probed together with one deadline.
 * Concurrent probes share one run, so a burst of Kubernetes probes costs one database ping.
 */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeoutMs: number;
  #draining = false;
  #inFlight: Promise<ReadinessReport> | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Registers a named dependency; names appear in the /readyz body. */
  register(name: string, check: ReadinessCheck): void {
    if (this.#checks.has(name)) {
      throw new TypeError(`readiness check ${name} is already registered`);
    }

    this.#checks.set(name, check);
  }

  /** From now on the service reports not ready, so load balancers stop sending new work. */
  markDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  async probe(): Promise<ReadinessReport> {
    this.#inFlight ??= this.#runChecks().finally(() => {
      this.#inFlight = undefined;
    });

    return this.#inFlight;
  }

  async #runChecks(): Promise<ReadinessReport> {
    const entries = [...this.#checks].map(async ([name, check]) => {
      return [name, await this.#runOne(check)] as const;
    });

    const checks = Object.fromEntries(await Promise.all(entries));
    const ready = !this.#draining && Object.values(checks).every((state) => state === 'ok');

    return { ready, checks };
  }

  async #runOne(check: ReadinessCheck): Promise<'ok' | 'failing' | 'timeout'> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const timedOut = new Promise<'timeout'>((resolve) => {
      signal.addEventListener('abort', () => resolve('timeout'), { once: true });
    });

    const outcome = check(signal).then(
      () => 'ok' as const,
      () => 'failing' as const,
    );

    return Promise.race([outcome, timedOut]);
  }
}
