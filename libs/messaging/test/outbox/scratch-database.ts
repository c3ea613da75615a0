import { randomBytes } from 'node:crypto';
import { replaceUrlDatabase } from '@footfall/db';
import pg from 'pg';
import { inject } from 'vitest';
import { outboxTableSql, processedMessagesTableSql } from './outbox-schema.ts';

export interface ScratchDatabase {
  readonly pool: pg.Pool;
  /** As the server's admin, for a pool of a test's own. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A throwaway database on the test run's PostgreSQL with an outbox, a processed-messages table
 * and an `effects` table that stands for a consumer's own data.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const { adminUrl } = inject('footfallPostgres');
  const name = `scratch_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });

  // Closed to PUBLIC before it takes connections, like the platform's own databases, so the
  // grant suites running beside this test never find a database every role may enter.
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin.query(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`);
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  await admin.end();

  const url = replaceUrlDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(outboxTableSql('outbox'));
  await pool.query(processedMessagesTableSql('processed_messages'));
  await pool.query('CREATE TABLE effects (message_id uuid NOT NULL)');

  return { pool, url, drop: () => dropDatabase(pool, adminUrl, name) };
}

async function dropDatabase(pool: pg.Pool, adminUrl: string, name: string) {
  await pool.end();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
