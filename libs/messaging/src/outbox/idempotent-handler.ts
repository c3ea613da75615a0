import type pg from 'pg';
import type { DeliveredMessage, MessageHandler } from '../message.ts';
import { qualified } from './outbox-writer.ts';

/** The effect of one message, run inside the consumer's transaction. */
export type TransactionalWork = (client: pg.PoolClient, message: DeliveredMessage) => Promise<void>;

/**
 * Wraps a handler so each message id has its effect once per subscription, however often it is
 * delivered: the id is recorded in `table` in the same transaction as the effect, and a
 * delivery whose id is already recorded commits nothing and is acknowledged.
 */
export function idempotentHandler(
  pool: pg.Pool,
  table: string,
  work: TransactionalWork,
): MessageHandler {
  const insert = `INSERT INTO ${qualified(table)} (subscription, message_id) VALUES ($1, $2)
                  ON CONFLICT DO NOTHING`;

  return async (message) => {
    const client = await pool.connect();

    try {
      await client.query('BEGIN');
      const recorded = await client.query(insert, [message.subscription, message.envelope.id]);
      if (recorded.rowCount === 1) await work(client, message);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
}
