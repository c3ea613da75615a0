import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { queryAs } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../src/users.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser } from './test-users.ts';
import { callUserApi, customerUserInput, userApiToken } from './user-api-calls.ts';

/** Accepts connections and never greets: an SMTP server that hangs. */
let silentSmtp: Server;
let server: AuthServer;
let token: string;

beforeAll(async () => {
  silentSmtp = createServer();
  silentSmtp.listen(0, '127.0.0.1');
  await once(silentSmtp, 'listening');
  server = await startAuthServer({
    env: {
      AUTH_SMTP_HOST: '127.0.0.1',
      AUTH_SMTP_PORT: String((silentSmtp.address() as AddressInfo).port),
      AUTH_SMTP_TLS: 'none',
      AUTH_MAIL_FROM: 'no-reply@footfall.test',
      // No housekeeping transaction may be open while the test looks.
      AUTH_CLEANUP_INTERVAL_MS: '86400000',
    },
  });
  token = await userApiToken(server);
});

afterAll(async () => {
  await server?.close();
  silentSmtp?.close();
});

/** Queries the auth database as its owner, beside the service's own connections. */
async function queryAuthDatabase<T>(sql: string, values: unknown[] = []): Promise<T | undefined> {
  const result = await queryAs(server.databases.services.auth.adminUrl, sql, values);

  return result.rows[0] as T | undefined;
}

/**
 * Sends `request` and, once the service is talking to the hung SMTP server, counts the auth
 * database's connections that sit in an open transaction; then drops the SMTP connection, which
 * fails the delivery.
 */
async function whileMailHangs(request: () => Promise<unknown>) {
  const connected = once(silentSmtp, 'connection');
  const answer = request();
  const [socket] = (await connected) as [Socket];

  const transactions = await queryAuthDatabase<{ open: number }>(
    `SELECT count(*)::integer AS open FROM pg_stat_activity
     WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
  );
  socket.destroy();
  return { answer: await answer, openTransactions: transactions?.open };
}

describe('while a link mail is being sent', () => {
  it('holds no transaction open, and a failed invitation creates nobody', async () => {
    const input = customerUserInput('hung-smtp');

    const { answer, openTransactions } = await whileMailHangs(() =>
      callUserApi(server, token, 'POST', '/users', input),
    );
    const users = await queryAuthDatabase<{ count: number }>(
      'SELECT count(*)::integer AS count FROM auth.users WHERE email = $1',
      [input.email.toLowerCase()],
    );

    expect(openTransactions).toBe(0);
    expect(answer).toMatchObject({ status: 503, body: { code: 'AUTH_MAIL_UNAVAILABLE' } });
    expect(users?.count).toBe(0);
  });

  it('holds no transaction open, and a failed reset leaves no usable link', async () => {
    const person = await createTestUser(server);

    const { answer, openTransactions } = await whileMailHangs(() =>
      callUserApi(server, token, 'POST', `/users/${person.id}/password-reset`),
    );
    const links = await queryAuthDatabase<{ usable: number }>(
      `SELECT count(*)::integer AS usable FROM auth.one_time_tokens
       WHERE user_id = $1 AND used_at IS NULL`,
      [person.id],
    );

    expect(openTransactions).toBe(0);
    expect(answer).toMatchObject({ status: 503, body: { code: 'AUTH_MAIL_UNAVAILABLE' } });
    expect(links?.usable).toBe(0);
  });
});

describe('removing a user whose invitation was not mailed', () => {
  it('is refused, as the runtime role, for a user who has a password', async () => {
    const person = await createTestUser(server);

    const forgotten = await withAuthPool(server, (pool) =>
      new UserStore(pool).forgetUnmailed(person.id),
    );
    const users = await queryAuthDatabase<{ count: number }>(
      'SELECT count(*)::integer AS count FROM auth.users WHERE id = $1',
      [person.id],
    );

    expect(forgotten).toBe(false);
    expect(users?.count).toBe(1);
  });
});
