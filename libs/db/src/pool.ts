import pg from 'pg';

export interface PoolOptions {
  readonly connectionString: string;
  /** Shows in pg_stat_activity and the server log, so a slow query names its service. */
  readonly applicationName: string;
  /** @default 10 */
  readonly max?: number;
  /** Server-side limit per statement. @default 30_000 */
  readonly statementTimeoutMillis?: number;
  /**
   * Called when an idle connection fails (the server restarted, a proxy dropped it). The pool
   * discards that connection by itself; this is for logging, and a service should always pass
   * one (`@footfall/platform-app` logs it as a warning), or the failure leaves no trace.
   * @default ignores the error
   */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * A pg.Pool with limits that fail fast instead of hanging: 5 s to connect, 30 s per statement,
 * 60 s idle inside a transaction; idle connections are closed after 30 s.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMillis ?? 30_000,
    idle_in_transaction_session_timeout: 60_000,
  });

  // Without a listener, an idle connection's error would crash the process; the next query gets
  // a fresh connection, and readiness reports an outage that lasts.
  pool.on('error', options.onIdleError ?? (() => {}));

  return pool;
}

/** Resolves when the database answers a trivial query; what a readiness check calls. */
export async function pingDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/** A pool as a service dependency: pinged by readiness, ended at shutdown. */
export function poolDependency(pool: pg.Pool) {
  return { check: () => pingDatabase(pool), close: () => pool.end() };
}
