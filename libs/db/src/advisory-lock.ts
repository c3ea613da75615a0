import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Runs `work` while holding a session-level advisory lock named `name` on this connection, so
 * two bootstraps or two migration jobs (say, two Helm hooks racing) take turns instead of both
 * creating the same role or applying the same file. Waits as long as the holder needs.
 */
export async function withAdvisoryLock<T>(
  client: pg.ClientBase,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const key = advisoryLockKey(name);

  await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);

  let result: T;
  try {
    result = await work();
  } catch (error) {
    // The work's error is the one worth reporting; if the connection is gone, the server has
    // released the lock with the session anyway.
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
    throw error;
  }

  await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);

  return result;
}

// A fixed 64-bit key per name, derived here rather than with the server's undocumented
// hashtext(), so the key that shows up in pg_locks can be computed by anyone reading this.
function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
