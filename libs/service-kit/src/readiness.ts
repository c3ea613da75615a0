import type { FastifyBaseLogger } from 'fastify';

/** A dependency probe: resolves when the dependency answers, rejects (or times out) when not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export type CheckState = 'ok' | 'failing' | 'timeout';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckState>>;
}

export interface ReadinessSettings {
  /** How long each check may take before it counts as `timeout`. */
  readonly timeoutMs: number;
  readonly log: FastifyBaseLogger;
  /** How often a check that keeps failing the same way is logged again; 60 s by default. */
  readonly repeatLogMs?: number;
  /** Milliseconds from some origin; replaced in tests. Defaults to performance.now. */
  readonly clock?: () => number;
}

interface Outcome {
  readonly state: CheckState;
  readonly error?: unknown;
}

/** What was last logged about one check, so a probe every few seconds does not flood the log. */
interface LoggedState {
  state: CheckState;
  at: number;
  suppressed: number;
}

/**
 * The dependencies a service needs before it can serve, probed together with one deadline.
 * Concurrent probes share one run, so a burst of Kubernetes probes costs one database ping. A
 * failing check is logged at warn with its error, when it starts failing and then at most once
 * per repeat interval; its recovery is logged at info.
 */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #logged = new Map<string, LoggedState>();
  readonly #settings: ReadinessSettings;
  #draining = false;
  #inFlight: Promise<ReadinessReport> | undefined;

  constructor(settings: ReadinessSettings) {
    this.#settings = settings;
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
      const outcome = await this.#runOne(check);
      this.#logOutcome(name, outcome);
      return [name, outcome.state] as const;
    });

    const checks = Object.fromEntries(await Promise.all(entries));
    const ready = !this.#draining && Object.values(checks).every((state) => state === 'ok');

    return { ready, checks };
  }

  async #runOne(check: ReadinessCheck): Promise<Outcome> {
    const signal = AbortSignal.timeout(this.#settings.timeoutMs);
    const timedOut = new Promise<Outcome>((resolve) => {
      signal.addEventListener('abort', () => resolve({ state: 'timeout' }), { once: true });
    });

    const outcome = check(signal).then(
      (): Outcome => ({ state: 'ok' }),
      (error: unknown): Outcome => ({ state: 'failing', error }),
    );

    return Promise.race([outcome, timedOut]);
  }

  #logOutcome(check: string, outcome: Outcome): void {
    const last = this.#logged.get(check);

    if (outcome.state === 'ok') {
      if (last !== undefined) {
        this.#logged.delete(check);
        this.#settings.log.info({ check }, 'readiness check recovered');
      }
      return;
    }

    if (last !== undefined && !this.#dueAgain(last, outcome.state)) {
      last.suppressed += 1;
      return;
    }

    this.#warn(check, outcome, last?.suppressed ?? 0);
    this.#logged.set(check, { state: outcome.state, at: this.#now(), suppressed: 0 });
  }

  #dueAgain(last: LoggedState, state: CheckState): boolean {
    const repeatMs = this.#settings.repeatLogMs ?? 60_000;
    return last.state !== state || this.#now() - last.at >= repeatMs;
  }

  #now(): number {
    return this.#settings.clock?.() ?? performance.now();
  }

  #warn(check: string, outcome: Outcome, suppressed: number): void {
    const fields =
      outcome.state === 'timeout'
        ? { check, state: outcome.state, timeoutMs: this.#settings.timeoutMs }
        : { check, state: outcome.state, err: outcome.error };

    this.#settings.log.warn({ ...fields, suppressed }, 'readiness check failing');
  }
}
