import type { createPool, withTransaction } from '@footfall/db';

/** The pg pool @footfall/db creates; named here since auth does not depend on pg itself. */
export type Pool = ReturnType<typeof createPool>;

/** A connection inside withTransaction. */
export type TransactionClient = Parameters<Parameters<typeof withTransaction>[1]>[0];

/** Either: what the stores run their statements on, inside a transaction or not. */
export type Queryable = Pool | TransactionClient;
