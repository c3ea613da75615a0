import { randomUUID } from 'node:crypto';
import { withClient } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { userApiToken } from './user-api-calls.ts';

let server: AuthServer;

beforeAll(async () => {
  server = await startAuthServer();
});

afterAll(async () => {
  await server?.close();
});

/**
 * Runs `work` while the auth database takes no connection: new ones are refused and the open
 * ones are ended, as when the database server goes away.
 */
async function whileDatabaseUnreachable<T>(work: () => Promise<T>): Promise<T> {
  const database = new URL(server.databases.services.auth.runtimeUrl).pathname.slice(1);
  const allow = (allowed: boolean) =>
    withClient(server.databases.adminUrl, async (admin) => {
      await admin.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS ${allowed}`);
      if (allowed) return;
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
    });

  await allow(false);
  try {
    return await work();
  } finally {
    await allow(true);
  }
}

describe('user API while its database is unreachable', () => {
  it('answers 500, never an invalid_token challenge, to a valid token', async () => {
    const token = await userApiToken(server);

    const response = await whileDatabaseUnreachable(() =>
      fetch(new URL(`/users/${randomUUID()}`, server.url), {
        headers: { authorization: `Bearer ${token}` },
      }),
    );

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: 'HTTP_INTERNAL' });
    expect(response.headers.get('www-authenticate')).toBeNull();
  });
});
