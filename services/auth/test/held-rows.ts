import { withClient } from '@footfall/testing';
import type { AuthServer } from './auth-server.ts';

/** How long to wait for the racing requests to queue before letting them go regardless. */
const queueChecks = 200;
const queueCheckIntervalMs = 25;

type Client = Parameters<Parameters<typeof withClient>[1]>[0];

/**
 * Starts `race` while a transaction holds every stored row of one provider model, and lets go
 * once `waiters` requests are queued behind it. Each of those requests has then read the row
 * before any of them could write it: the widest race two replicas could ever run, made certain
 * rather than left to chance.
 */
export async function raceOnHeldRows<T>(
  server: AuthServer,
  model: string,
  waiters: number,
  race: () => Promise<T>[],
): Promise<PromiseSettledResult<T>[]> {
  const adminUrl = server.databases.services.auth.adminUrl;

  return withClient(adminUrl, async (holder) => {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM auth.oidc_models WHERE model = $1 FOR UPDATE', [model]);
    const settled = Promise.allSettled(race());

    await withClient(adminUrl, (watcher) => untilQueued(watcher, waiters));
    await holder.query('COMMIT');
    return settled;
  });
}

// Requests that never queue (a fix that writes no row, say) must not hang the test: after the
// last check they are let go anyway and the test's own assertions decide.
async function untilQueued(watcher: Client, waiters: number): Promise<void> {
  for (let check = 0; check < queueChecks; check += 1) {
    const result = await watcher.query<{ queued: number }>(
      `SELECT count(*)::integer AS queued FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((result.rows[0]?.queued ?? 0) >= waiters) return;

    await new Promise((resolve) => setTimeout(resolve, queueCheckIntervalMs));
  }
}
