import { setTimeout as sleep } from 'node:timers/promises';

const pollIntervalMs = 100;
const probeTimeoutMs = 2_000;

export interface ReadinessWait {
  /** How long the service may take to become ready. */
  readonly timeoutMs: number;
  /** Asked before every try; false gives up at once (the process exited, the caller stops). */
  readonly stillWaiting?: () => boolean;
}

/**
 * Polls a service's `/readyz` until it answers 200. Resolves true once it does, and false when
 * the deadline passes or `stillWaiting` gives up first; each caller says why in its own terms.
 */
export async function waitUntilReady(url: string, wait: ReadinessWait): Promise<boolean> {
  const deadline = Date.now() + wait.timeoutMs;
  const stillWaiting = wait.stillWaiting ?? (() => true);

  while (Date.now() < deadline && stillWaiting()) {
    if (await answersReady(url)) return true;

    await sleep(pollIntervalMs);
  }

  return false;
}

/** Whether the service at `url` answers `/readyz` with 200; a probe that hangs counts as no. */
async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(probeTimeoutMs) });
    await response.body?.cancel();

    return response.status === 200;
  } catch {
    return false;
  }
}
