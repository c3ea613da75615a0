import { randomBytes } from 'node:crypto';
import { dashboardRedirect, discoverServiceClient } from '@footfall/testing';
import type * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { secretsOf } from './oauth-clients.ts';
import {
  auditRows,
  auditRowsOf,
  expectSignedIn,
  LogCapture,
  openSignIn,
  submitSignIn,
} from './sign-in-session.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser, type TestUser } from './test-users.ts';
import { storedPasswordHash } from './user-api-calls.ts';

/** How a PHC string of argon2id at 19 MiB and one lane begins, parameters in the standard order. */
function hashPrefix(iterations: number): string {
  return `$argon2id$v=19$m=19456,t=${iterations},p=1$`;
}

/** OWASP's minimum argon2id cost, which is the default. */
const defaultHashPrefix = hashPrefix(2);

function expectHashStart(hash: string | null, prefix: string): void {
  expect(hash?.slice(0, prefix.length)).toBe(prefix);
}

async function signInOnce(server: AuthServer, user: TestUser): Promise<void> {
  expectSignedIn(await submitSignIn(await openSignIn(server), user));
}

describe('stored password hashes', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('are argon2id with the default cost', async () => {
    const user = await createTestUser(server);

    expectHashStart(await storedPasswordHash(server, user.id), defaultHashPrefix);
  });

  it('are made again with the configured cost when someone signs in', async () => {
    const user = await createTestUser(server);
    const costlier = await startAuthServer({
      databases: server.databases,
      clientSecrets: secretsOf(server),
      env: { AUTH_ARGON2_ITERATIONS: '3' },
    });

    try {
      await signInOnce(costlier, user);
      expectHashStart(await storedPasswordHash(server, user.id), hashPrefix(3));

      // The new hash still matches the password; on the default replica it goes back to t=2.
      await signInOnce(costlier, user);
      await signInOnce(server, user);
      expectHashStart(await storedPasswordHash(server, user.id), defaultHashPrefix);
    } finally {
      await costlier.close();
    }
  });

  it('are rewritten in the standard parameter order when found in the old one', async () => {
    const user = await createTestUser(server);
    const misordered = ((await storedPasswordHash(server, user.id)) ?? '').replace(
      /^(\$argon2id\$v=19\$)m=(\d+),t=(\d+),p=(\d+)\$/,
      '$1m=$2,p=$4,t=$3$',
    );
    expect(misordered).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await withAuthPool(server, (pool) =>
      pool.query('UPDATE auth.users SET password_hash = $2 WHERE id = $1', [user.id, misordered]),
    );

    await signInOnce(server, user);

    expectHashStart(await storedPasswordHash(server, user.id), defaultHashPrefix);
  });
});

describe('the audit trail of sign-in and consent', () => {
  const logs = new LogCapture();
  let server: AuthServer;
  let dashboard: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer({
      logDestination: logs.destination,
      env: { LOG_LEVEL: 'trace' },
    });
    dashboard = await discoverServiceClient(server, 'dashboard');
  });

  afterAll(async () => {
    await server?.close();
  });

  function flowRequest(consent: 'allow' | 'deny') {
    return { configuration: dashboard, redirectUri: dashboardRedirect, scope: 'openid', consent };
  }

  it('records a successful sign-in with the user and client', async () => {
    const user = await createTestUser(server);

    await signInOnce(server, user);

    const rows = await auditRowsOf(server, user.id);
    expect(rows).toEqual([
      expect.objectContaining({
        event: 'sign_in_succeeded',
        client_id: 'footfall-cli',
        address_hash: expect.any(String),
      }),
    ]);
  });

  it('records a refused sign-in, for a known account and for an unknown email', async () => {
    const user = await createTestUser(server);
    const email = `nobody-${randomBytes(6).toString('hex')}@example.test`;
    const before = (await auditRows(server)).length;

    const session = await openSignIn(server);
    const wrong = await submitSignIn(session, { email: user.email, password: 'not it at all' });
    const unknown = await submitSignIn(session, { email, password: 'not it either' });

    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const rows = (await auditRows(server)).slice(before);
    expect(rows).toEqual([
      expect.objectContaining({ event: 'sign_in_failed', user_id: user.id }),
      expect.objectContaining({ event: 'sign_in_failed', user_id: null }),
    ]);
    expect(rows.map((row) => row.detail)).toEqual([{ reason: 'refused' }, { reason: 'refused' }]);
  });

  it('keeps emails, passwords and addresses out of audit rows and log lines', async () => {
    const user = await createTestUser(server);
    const unknownEmail = `nobody-${randomBytes(6).toString('hex')}@example.test`;
    const wrongPassword = `wrong-${randomBytes(12).toString('hex')}`;

    const session = await openSignIn(server);
    await submitSignIn(session, { email: unknownEmail, password: user.password });
    await submitSignIn(session, { email: user.email, password: wrongPassword });
    expectSignedIn(await submitSignIn(session, user));

    const rows = await auditRows(server);
    const logged = logs.lines.join('');
    // The checks must look at something: this user's rows and their log lines exist.
    expect(rows.filter((row) => row.user_id === user.id)).toHaveLength(2);
    expect(logged).toContain(user.id);

    for (const row of rows) {
      expect(row.address_hash).not.toMatch(/127\.0\.0\.1/);
    }
    const recorded = JSON.stringify(rows);
    for (const secret of [user.email, unknownEmail, user.password, wrongPassword, '127.0.0.1"']) {
      expect(recorded).not.toContain(secret);
    }
    for (const secret of [user.email, unknownEmail, user.password, wrongPassword]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('records consent given, then the tokens issued at the token endpoint', async () => {
    const user = await createTestUser(server);

    const flow = await runCodeFlow(server, flowRequest('allow'), user);
    expect(await auditRowsOf(server, user.id)).toEqual([
      expect.objectContaining({ event: 'sign_in_succeeded', client_id: 'dashboard' }),
      expect.objectContaining({ event: 'consent_granted', client_id: 'dashboard' }),
    ]);

    await exchangeCode(dashboard, flow);
    // The provider's events are recorded in the background: the row follows the response.
    await vi.waitFor(
      async () => {
        const events = (await auditRowsOf(server, user.id)).map((row) => row.event);
        expect(events).toContain('token_issued');
      },
      { timeout: 5_000 },
    );
    const issued = (await auditRowsOf(server, user.id)).find((row) => row.event === 'token_issued');
    expect(issued).toMatchObject({
      client_id: 'dashboard',
      detail: { grantType: 'authorization_code' },
    });
  });

  it('records consent refused, and the client gets access_denied', async () => {
    const user = await createTestUser(server);

    const flow = await runCodeFlow(server, flowRequest('deny'), user);

    expect(flow.callback.origin + flow.callback.pathname).toBe(dashboardRedirect);
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.has('code')).toBe(false);
    const events = (await auditRowsOf(server, user.id)).map((row) => row.event);
    expect(events).toEqual(['sign_in_succeeded', 'consent_denied']);
  });
});

describe('the audit table', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer();
    await signInOnce(server, await createTestUser(server));
  });

  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['UPDATE', "UPDATE auth.audit_events SET event = 'sign_in_failed'"],
    ['DELETE', 'DELETE FROM auth.audit_events'],
    ['TRUNCATE', 'TRUNCATE auth.audit_events'],
  ])('cannot be changed by the runtime role (%s)', async (_name, statement) => {
    await withAuthPool(server, async (pool) => {
      await expect(pool.query(statement)).rejects.toMatchObject({ code: '42501' });
    });

    const rows = await auditRows(server);
    expect(rows.map((row) => row.event)).toEqual(['sign_in_succeeded']);
  });
});
