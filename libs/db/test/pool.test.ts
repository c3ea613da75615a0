import { createPool, pingDatabase, withTransaction } from '@footfall/db';
import { createTestDatabases, queryAs, type TestDatabases } from '@footfall/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('createPool, pingDatabase and withTransaction', () => {
  let databases: TestDatabases | undefined;
  let pool: pg.Pool;
  const ownerUrl = () => databases?.services.customer.ownerUrl ?? '';

  beforeAll(async () => {
    databases = await createTestDatabases();
    await queryAs(ownerUrl(), 'CREATE TABLE customer.pool_probe (id int PRIMARY KEY)');
    pool = createPool({ connectionString: ownerUrl(), applicationName: 'pool-test', max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await databases?.drop();
  });

  it('answers a readiness ping', async () => {
    await expect(pingDatabase(pool)).resolves.toBeUndefined();
  });

  it('names its connections and bounds their statements', async () => {
    const result = await pool.query(`
      SELECT current_setting('application_name') AS name,
        current_setting('statement_timeout') AS timeout`);

    expect(result.rows).toEqual([{ name: 'pool-test', timeout: '30s' }]);
  });

  it('rejects a ping when the server is unreachable', async () => {
    const closed = createPool({
      connectionString: 'postgresql://u:p@127.0.0.1:1/db',
      applicationName: 'x',
    });

    await expect(pingDatabase(closed)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await closed.end();
  });

  it('hands the failure of an idle connection to onIdleError', async () => {
    const failures: Error[] = [];
    const watched = createPool({
      connectionString: ownerUrl(),
      applicationName: 'pool-idle-test',
      onIdleError: (error) => failures.push(error),
    });

    try {
      const { rows } = await watched.query('SELECT pg_backend_pid() AS pid');
      await queryAs(databases?.adminUrl ?? '', 'SELECT pg_terminate_backend($1)', [rows[0].pid]);

      await expect.poll(() => failures.length).toBe(1);
      expect(failures[0]).toMatchObject({ code: '57P01' });
    } finally {
      await watched.end();
    }
  });

  it('commits when the work resolves', async () => {
    const value = await withTransaction(pool, async (client) => {
      await client.query('INSERT INTO customer.pool_probe VALUES (1)');
      return 'done';
    });

    expect(value).toBe('done');
    expect((await pool.query('SELECT id FROM customer.pool_probe')).rows).toEqual([{ id: 1 }]);
  });

  it('rolls back and rethrows when the work throws', async () => {
    const failure = withTransaction(pool, async (client) => {
      await client.query('INSERT INTO customer.pool_probe VALUES (2)');
      await client.query('INSERT INTO customer.pool_probe VALUES (1)');
    });

    await expect(failure).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query('SELECT id FROM customer.pool_probe ORDER BY id')).rows).toEqual([
      { id: 1 },
    ]);
  });
});
