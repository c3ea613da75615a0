import { loadMessagingConfig } from '@footfall/messaging';
import { buildPlatformApp, type PlatformApp } from '@footfall/platform-app';
import { baseConfigSchema, loadConfig } from '@footfall/service-kit';
import { createTestDatabases, queryAs, type TestDatabases } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('buildPlatformApp', () => {
  let databases: TestDatabases | undefined;
  let platform: PlatformApp<'database'> | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    databases = await createTestDatabases();
    const customer = databases.services.customer;
    const config = {
      ...loadConfig(baseConfigSchema, { PORT: '0' }),
      ...loadMessagingConfig({
        MESSAGING_DATABASE_URL: databases.messaging.clientUrls.footfall_customer_app,
      }),
      DATABASE_POOL_MAX: 2,
    };

    platform = await buildPlatformApp({
      name: 'customer',
      config,
      databases: { database: customer.runtimeUrl },
      logDestination: { write: (line: string) => lines.push(line) },
    });
  });

  afterAll(async () => {
    await platform?.app.close();
    await databases?.drop();
  });

  it('logs an idle connection that fails, naming the database and never the password', async () => {
    const pool = platform?.pools.database;
    const { rows } = (await pool?.query('SELECT pg_backend_pid() AS pid')) ?? { rows: [] };

    // The connection is back in the pool, idle, when the server ends it.
    await queryAs(databases?.adminUrl ?? '', 'SELECT pg_terminate_backend($1)', [rows[0]?.pid]);

    await expect
      .poll(() => findLine(lines, 'idle database connection failed'))
      .toMatchObject({ level: 'warn', database: 'database', err: { code: '57P01' } });
    const password = new URL(databases?.services.customer.runtimeUrl ?? '').password;
    expect(lines.join('\n')).not.toContain(password);
  });
});

function findLine(lines: readonly string[], message: string): unknown {
  return lines.map((text) => JSON.parse(text)).find((entry) => entry.msg === message);
}
