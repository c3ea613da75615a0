import type { ServiceApp } from '@footfall/service-kit';
import type { Pool } from './database-pool.ts';

/** At most this many rows per statement, so a large backlog never holds long locks. */
const batchSize = 1_000;

/**
 * Deletes provider state that has expired, sign-in counts nobody added to for a day (so old
 * failures stop counting towards a lockout), and one-time tokens a week past expiry; returns how
 * many rows went.
 */
export async function deleteExpiredState(pool: Pool): Promise<number> {
  let total = 0;

  for (;;) {
    const result = await pool.query(deleteBatchSql, [batchSize]);
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < batchSize) break;
  }

  const throttle = await pool.query(deleteStaleThrottleSql);
  const tokens = await pool.query(deleteOldTokensSql);
  return total + (throttle.rowCount ?? 0) + (tokens.rowCount ?? 0);
}

/**
 * Runs deleteExpiredState every `intervalMs` until the returned stop function is called. Every
 * replica runs it; the deletes are idempotent, so they only share the work.
 */
export function scheduleExpiredStateCleanup(
  pool: Pool,
  intervalMs: number,
  log: ServiceApp['log'],
): () => void {
  const timer = setInterval(() => {
    deleteExpiredState(pool).then(
      (deleted) => {
        if (deleted > 0) log.debug({ deleted }, 'expired oidc state deleted');
      },
      (error: unknown) => log.warn({ err: error }, 'expired oidc state clean-up failed'),
    );
  }, intervalMs);

  // The timer alone must not keep a process alive that is otherwise done.
  timer.unref();
  return () => clearInterval(timer);
}

const deleteBatchSql = `
  DELETE FROM auth.oidc_models WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM auth.oidc_models WHERE expires_at < clock_timestamp() LIMIT $1
  ))`;

const deleteStaleThrottleSql = `
  DELETE FROM auth.sign_in_throttle
  WHERE last_failure_at < clock_timestamp() - interval '1 day'
    AND (locked_until IS NULL OR locked_until < clock_timestamp())`;

const deleteOldTokensSql = `
  DELETE FROM auth.one_time_tokens WHERE expires_at < clock_timestamp() - interval '7 days'`;
