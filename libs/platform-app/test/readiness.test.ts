import { setTimeout as sleep } from 'node:timers/promises';
import { loadMessagingConfig } from '@footfall/messaging';
import { baseConfigSchema, loadConfig, type ServiceApp } from '@footfall/service-kit';
import { createTestDatabases, queryAs, type TestDatabases } from '@footfall/testing';
import { escapeIdentifier } from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildPlatformApp } from '../src/index.ts';

const runtimeRole = 'footfall_customer_app';
const discard = { write: () => {} };
let databases: TestDatabases;

beforeAll(async () => {
  databases = await createTestDatabases();
});

afterAll(() => databases?.drop());

async function startApp(): Promise<ServiceApp> {
  const config = {
    ...loadConfig(baseConfigSchema, { PORT: '0', READINESS_TIMEOUT_MS: '1000' }),
    ...loadMessagingConfig({ MESSAGING_DATABASE_URL: databases.messaging.clientUrls[runtimeRole] }),
    DATABASE_POOL_MAX: 2,
  };
  const { app } = await buildPlatformApp({
    name: 'readiness-test',
    config,
    databases: { database: databases.services.customer.runtimeUrl },
    logDestination: discard,
  });
  onTestFinished(() => app.close());
  return app;
}

/** Refuses new connections to the messaging database and ends the open ones: an outage. */
async function cutMessagingDatabase(allowed: boolean): Promise<void> {
  const name = escapeIdentifier(databases.messaging.database);
  await queryAs(databases.adminUrl, `ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS ${allowed}`);
  if (allowed) return;

  await queryAs(
    databases.adminUrl,
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
    [databases.messaging.database],
  );
}

async function readiness(app: ServiceApp) {
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: response.statusCode, checks: response.json().checks };
}

describe('/readyz of a platform app', () => {
  it('is 503 while the messaging database is down, 200 once it is back', async () => {
    const app = await startApp();
    onTestFinished(() => cutMessagingDatabase(true));

    expect(await readiness(app)).toEqual({
      status: 200,
      checks: { database: 'ok', messaging: 'ok' },
    });
    await cutMessagingDatabase(false);
    expect(await readiness(app)).toMatchObject({
      status: 503,
      checks: { database: 'ok', messaging: expect.stringMatching(/^(failing|timeout)$/) },
    });

    await cutMessagingDatabase(true);
    let answer = await readiness(app);
    for (let tries = 0; answer.status !== 200 && tries < 50; tries += 1) {
      await sleep(100);
      answer = await readiness(app);
    }
    expect(answer).toEqual({ status: 200, checks: { database: 'ok', messaging: 'ok' } });
  });
});
