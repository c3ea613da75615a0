import type pg from 'pg';

/**
 * Runs `work` inside a transaction on one pooled connection: COMMIT when it resolves, ROLLBACK
 * when it throws (rethrowing its error). A connection whose ROLLBACK fails is destroyed rather
 * than returned to the pool in an unknown state.
 *
 * @example
 * await withTransaction(pool, async (client) => {
 *   await client.query('INSERT INTO outbox (topic, payload) VALUES ($1, $2)', [topic, payload]);
 * });
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;

  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');

    return result;
  } catch (error) {
    broken = await rollback(client);
    throw error;
  } finally {
    client.release(broken);
  }
}

async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');

    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error('ROLLBACK failed');
  }
}
