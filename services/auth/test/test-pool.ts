import { createPool } from '@footfall/db';
import type { Pool } from '../src/database-pool.ts';
import type { AuthServer } from './auth-server.ts';

/** Runs `work` with a pool on the server's database as its runtime role, then ends the pool. */
export async function withAuthPool<T>(server: AuthServer, work: (pool: Pool) => Promise<T>) {
  const pool = createPool({
    connectionString: server.databases.services.auth.runtimeUrl,
    applicationName: 'auth-test',
  });

  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}
