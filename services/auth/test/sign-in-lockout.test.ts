import { randomBytes } from 'node:crypto';
import { queryAs } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import {
  type AuditRow,
  auditCounter,
  auditRows,
  auditRowsOf,
  expectSignedIn,
  LogCapture,
  normalisedPage,
  openSignIn,
  signInStatuses,
  submitSignIn,
} from './sign-in-session.ts';
import { withAuthPool } from './test-pool.ts';
import { createTestUser } from './test-users.ts';

const accountThreshold = 3;
const baseLockoutSeconds = 60;

function wrongPasswords(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `wrong password ${index}`);
}

function unknownEmail(): string {
  return `nobody-${randomBytes(6).toString('hex')}@example.test`;
}

function retryAfterOf(response: Response): number {
  const header = response.headers.get('retry-after') ?? '';
  expect(header).toMatch(/^\d+$/);

  return Number(header);
}

function lockoutsIn(rows: readonly AuditRow[], subject: 'account' | 'address'): AuditRow[] {
  return rows.filter((row) => row.event === 'lockout' && row.detail.subject === subject);
}

/** The throttle rows' subjects (keyed hashes), to find the one a test's failures created. */
async function throttleSubjects(server: AuthServer): Promise<Set<string>> {
  return withAuthPool(server, async (pool) => {
    const result = await pool.query<{ subject: string }>(
      'SELECT subject FROM auth.sign_in_throttle',
    );
    return new Set(result.rows.map((row) => row.subject));
  });
}

/**
 * Lets a lockout run out without waiting for it: its end is moved into the past. How many were
 * lifted: 0 when the subject was not locked.
 */
async function liftLock(server: AuthServer, subject: string): Promise<number> {
  const result = await queryAs(
    server.databases.services.auth.ownerUrl,
    `UPDATE auth.sign_in_throttle SET locked_until = clock_timestamp() - interval '1 second'
     WHERE subject = $1 AND locked_until > clock_timestamp()`,
    [subject],
  );

  return result.rowCount ?? 0;
}

describe('account lockout', () => {
  const logs = new LogCapture();
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({
      logDestination: logs.destination,
      env: {
        AUTH_LOCKOUT_ACCOUNT_THRESHOLD: String(accountThreshold),
        AUTH_LOCKOUT_BASE_SECONDS: String(baseLockoutSeconds),
        // Every try here comes from 127.0.0.1: the address must not be what gets locked.
        AUTH_LOCKOUT_ADDRESS_THRESHOLD: '1000',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('locks an account after the threshold of failures, even against the correct password', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);

    const statuses = await signInStatuses(session, user.email, wrongPasswords(accountThreshold));
    const locked = await submitSignIn(session, user);

    expect(statuses).toEqual([401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(retryAfterOf(locked)).toBeGreaterThan(0);
    expect(retryAfterOf(locked)).toBeLessThanOrEqual(baseLockoutSeconds);
    expect(await locked.text()).toContain('Too many failed sign-ins');
    expect((await auditRowsOf(server, user.id)).map((row) => row.event)).not.toContain(
      'sign_in_succeeded',
    );
  });

  it('locks an unknown email the same way, with the same page', async () => {
    const user = await createTestUser(server);
    const email = unknownEmail();
    const known = await openSignIn(server);
    const unknown = await openSignIn(server);

    await signInStatuses(known, user.email, wrongPasswords(accountThreshold));
    const unknownStatuses = await signInStatuses(unknown, email, wrongPasswords(accountThreshold));
    const knownLocked = await submitSignIn(known, user);
    const unknownLocked = await submitSignIn(unknown, { email, password: user.password });

    expect(unknownStatuses).toEqual([401, 401, 401]);
    expect(unknownLocked.status).toBe(429);
    expect(retryAfterOf(unknownLocked)).toBeGreaterThan(0);
    expect(normalisedPage(await unknownLocked.text(), unknown, email)).toBe(
      normalisedPage(await knownLocked.text(), known, user.email),
    );
  });

  it('counts failures against an account however its email is typed', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);
    const spellings = [user.email, user.email.toUpperCase(), ` ${user.email} `];

    const statuses: number[] = [];
    for (const [index, email] of spellings.entries()) {
      statuses.push(...(await signInStatuses(session, email, [`wrong password ${index}`])));
    }
    const locked = await submitSignIn(session, user);

    expect(statuses).toEqual([401, 401, 401]);
    expect(locked.status).toBe(429);
  });

  it('records a lockout in the audit table, the audit counter and the log', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);
    const countedBefore = await auditCounter(server, 'lockout');

    await signInStatuses(session, user.email, wrongPasswords(accountThreshold));

    const lockouts = lockoutsIn(await auditRowsOf(server, user.id), 'account');
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]?.detail).toEqual({
      subject: 'account',
      seconds: baseLockoutSeconds,
      inARow: 1,
    });
    expect(await auditCounter(server, 'lockout')).toBe(countedBefore + 1);

    const logged = logs
      .entries()
      .filter((entry) => entry.msg === 'audit event')
      .map((entry) => entry.audit as Record<string, unknown>)
      .filter((audit) => audit.event === 'lockout' && audit.userId === user.id);
    expect(logged).toEqual([expect.objectContaining({ detail: lockouts[0]?.detail })]);
  });

  it('makes each lockout in a row last longer', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);
    const subjectsBefore = await throttleSubjects(server);

    await signInStatuses(session, user.email, wrongPasswords(accountThreshold));
    const firstRetryAfter = retryAfterOf(await submitSignIn(session, user));
    const created = [...(await throttleSubjects(server))].filter(
      (subject) => !subjectsBefore.has(subject) && subject.startsWith('account:'),
    );
    expect(created).toHaveLength(1);
    expect(await liftLock(server, created[0] ?? '')).toBe(1);

    const statuses = await signInStatuses(session, user.email, wrongPasswords(accountThreshold));
    const second = await submitSignIn(session, user);

    expect(statuses).toEqual([401, 401, 401]);
    expect(second.status).toBe(429);
    expect(retryAfterOf(second)).toBeGreaterThan(firstRetryAfter);
    const lockouts = lockoutsIn(await auditRowsOf(server, user.id), 'account');
    expect(lockouts.map((row) => row.detail)).toEqual([
      { subject: 'account', seconds: baseLockoutSeconds, inARow: 1 },
      { subject: 'account', seconds: 2 * baseLockoutSeconds, inARow: 2 },
    ]);
  });

  it('checks at most the threshold of passwords however many tries arrive at once', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);
    const tries = wrongPasswords(4 * accountThreshold);

    const statuses = await Promise.all(
      tries.map(async (password) => {
        const response = await submitSignIn(session, { email: user.email, password });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const afterwards = await submitSignIn(session, user);

    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(
      accountThreshold,
    );
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(afterwards.status).toBe(429);
    expect(lockoutsIn(await auditRowsOf(server, user.id), 'account')).toHaveLength(1);
  });

  it('clears the failure count when the right password is given', async () => {
    const user = await createTestUser(server);
    const below = accountThreshold - 1;

    const first = await openSignIn(server);
    expect(await signInStatuses(first, user.email, wrongPasswords(below))).toEqual([401, 401]);
    expectSignedIn(await submitSignIn(first, user));

    // Counted on from before the success, these would reach the threshold and lock.
    const second = await openSignIn(server);
    expect(await signInStatuses(second, user.email, wrongPasswords(below))).toEqual([401, 401]);
    expectSignedIn(await submitSignIn(second, user));
    expect(lockoutsIn(await auditRowsOf(server, user.id), 'account')).toEqual([]);
  });
});

describe('address lockout', () => {
  const addressThreshold = 4;
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({
      env: {
        AUTH_LOCKOUT_ADDRESS_THRESHOLD: String(addressThreshold),
        // High, so only the address can be what locks.
        AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '1000',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('locks an address that fails with many different emails, for every account', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < addressThreshold; attempt += 1) {
      statuses.push(...(await signInStatuses(session, unknownEmail(), ['wrong password'])));
    }

    const locked = await submitSignIn(session, user);

    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(retryAfterOf(locked)).toBeGreaterThan(0);
    const lockouts = lockoutsIn(await auditRows(server), 'address');
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]?.address_hash).toEqual(expect.any(String));
    expect(lockoutsIn(await auditRows(server), 'account')).toEqual([]);
  });

  it('makes each lockout of an address in a row last longer', async () => {
    const user = await createTestUser(server);
    const session = await openSignIn(server);
    const address = await addressSubject(server);
    // An earlier test may have left the address locked.
    await liftLock(server, address);
    const before = lockoutsIn(await auditRows(server), 'address').length;

    const retryAfters: number[] = [];
    for (const round of [1, 2]) {
      for (let attempt = 0; attempt < addressThreshold; attempt += 1) {
        await signInStatuses(session, unknownEmail(), [`wrong password ${round}`]);
      }
      const locked = await submitSignIn(session, user);
      expect(locked.status).toBe(429);
      retryAfters.push(retryAfterOf(locked));
      expect(await liftLock(server, address)).toBe(1);
    }

    expect(retryAfters[1]).toBeGreaterThan(retryAfters[0] ?? Infinity);
    const lockouts = lockoutsIn(await auditRows(server), 'address').slice(before);
    const [first, second] = lockouts.map((row) => row.detail);
    expect(lockouts).toHaveLength(2);
    expect(second?.seconds).toBe(2 * Number(first?.seconds));
    expect(second?.inARow).toBe(Number(first?.inARow) + 1);
  });
});

/** The one address subject every try from 127.0.0.1 is counted against. */
async function addressSubject(server: AuthServer): Promise<string> {
  const subjects = [...(await throttleSubjects(server))].filter((subject) =>
    subject.startsWith('address:'),
  );
  expect(subjects).toHaveLength(1);

  return subjects[0] ?? '';
}
