import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

export interface ShutdownSettings {
  /** How long in-flight requests and close hooks may take before the process gives up. */
  readonly timeoutMs: number;
  /**
   * How long to keep serving, already reporting not ready, before the listener closes: Kubernetes
   * removes a terminating pod's endpoints a few seconds late, and sends it traffic until then.
   */
  readonly preCloseDelayMs?: number;
  /** Runs after the server has closed, for work such as flushing error reports. */
  readonly afterClose?: () => Promise<void>;
  /** Replaced in tests; defaults to process.exit. */
  readonly exit?: (code: number) => void;
}

const shutdownSignals = ['SIGTERM', 'SIGINT'] as const;

/** How long the log may take to reach its reader before the process exits regardless. */
const logFlushTimeoutMs = 1_000;

/**
 * Stops a service cleanly: report not ready, keep serving for the pre-close delay, stop accepting
 * connections, let in-flight requests finish, run close hooks (which close database pools), then
 * exit 0. If closing takes longer than the deadline, or a second signal arrives, exit 1 at once
 * rather than hang.
 */
export function installGracefulShutdown(app: FastifyInstance, settings: ShutdownSettings): void {
  const exit = settings.exit ?? ((code: number) => process.exit(code));
  const flushThenExit = (code: number) => flushLog(app, logFlushTimeoutMs).then(() => exit(code));
  let started = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      app.log.warn({ signal }, 'second signal, exiting now');
      void flushThenExit(1);
      return;
    }

    started = true;
    void shutDown(app, signal, settings).then(flushThenExit);
  };

  for (const signal of shutdownSignals) {
    process.on(signal, onSignal);
  }

  app.addHook('onClose', async () => {
    for (const signal of shutdownSignals) {
      process.off(signal, onSignal);
    }
  });
}

/** Closes the app within the deadline and resolves with the exit code to use. */
export async function shutDown(
  app: FastifyInstance,
  reason: string,
  settings: ShutdownSettings,
): Promise<number> {
  const startedAt = performance.now();
  app.log.info({ reason, timeoutMs: settings.timeoutMs }, 'shutting down');
  app.readiness.markDraining();

  const delayMs = settings.preCloseDelayMs ?? 0;
  if (delayMs > 0) {
    app.log.info({ delayMs }, 'draining before close');
    await sleep(delayMs);
  }

  const closed = await closeWithin(app, settings.timeoutMs);

  if (!closed) {
    app.log.error({ timeoutMs: settings.timeoutMs }, 'shutdown deadline passed');
    return 1;
  }

  await settings.afterClose?.();
  app.log.info({ durationMs: Math.round(performance.now() - startedAt) }, 'shut down');
  return 0;
}

async function closeWithin(app: FastifyInstance, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });

  try {
    return await Promise.race([app.close().then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lets the log's pending lines go out before exiting. pino flushes synchronously at exit, and its
 * writer retries a line for ever when stdout's reader has gone (EPIPE), so a process whose parent
 * died would never exit; flushed here first, the broken pipe is noticed and the log silenced.
 */
function flushLog(app: FastifyInstance, timeoutMs: number): Promise<void> {
  // The kit's logger is pino, whose flush fastify's logger type leaves out.
  const log = app.log as FastifyInstance['log'] & { flush(done: () => void): void };

  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    log.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
