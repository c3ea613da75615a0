import { createHmac } from 'node:crypto';
import type { Pool } from './database-pool.ts';

export interface ThrottleSettings {
  /** Failures in a row before an account is locked. */
  readonly accountThreshold: number;
  /** Failures in a row from one address before it is locked; higher, since addresses are shared. */
  readonly addressThreshold: number;
  /** The first lockout; each one after it in a row lasts twice as long. */
  readonly baseLockoutSeconds: number;
  readonly maxLockoutSeconds: number;
}

/** Who is being throttled: an account (by email, known or not) and the address asking. */
export interface ThrottleSubjects {
  readonly account: string;
  readonly address: string;
}

export interface Lockout {
  readonly subject: 'account' | 'address';
  readonly seconds: number;
  /** How many lockouts in a row this subject has had, this one included. */
  readonly count: number;
}

/**
 * Per-account and per-address sign-in throttling with growing lockouts, in the database so every
 * replica sees the same counts. Subjects are keyed hashes: the table holds no email or address.
 * Unknown emails are throttled exactly like real ones, so a lockout reveals nothing.
 */
export class SignInThrottle {
  readonly #pool: Pool;
  readonly #settings: ThrottleSettings;
  readonly #key: string;

  constructor(pool: Pool, settings: ThrottleSettings, key: string) {
    this.#pool = pool;
    this.#settings = settings;
    this.#key = key;
  }

  /** The keyed hashes stored for an email and an address. */
  subjects(email: string, address: string): ThrottleSubjects {
    return {
      account: `account:${this.fingerprint(email)}`,
      address: `address:${this.fingerprint(address)}`,
    };
  }

  /** A keyed hash of a value: stable for lookups, useless to anyone without the key. */
  fingerprint(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('base64url').slice(0, 32);
  }

  /**
   * Counts a try against both subjects before its password is checked, so however many tries
   * arrive at once, at most the threshold of them are checked before a lockout. Returns 0 when
   * the try may go ahead, or the seconds to wait when either subject is locked or has no tries
   * left (all taken by failures, or by checks still running). Each statement is atomic on its
   * row; no transaction stays open while the password is checked.
   */
  async reserve(subjects: ThrottleSubjects): Promise<number> {
    const account = await this.#take(subjects.account, this.#settings.accountThreshold);
    if (account > 0) return account;

    const address = await this.#take(subjects.address, this.#settings.addressThreshold);
    if (address > 0) await this.#giveBack(subjects.account);
    return address;
  }

  /** The password was wrong: a subject whose tries are used up is locked; returns the lockouts. */
  async recordFailure(subjects: ThrottleSubjects): Promise<Lockout[]> {
    const account = await this.#lockIfExhausted(subjects.account, this.#settings.accountThreshold);
    const address = await this.#lockIfExhausted(subjects.address, this.#settings.addressThreshold);

    return [
      ...(account === undefined ? [] : [{ ...account, subject: 'account' as const }]),
      ...(address === undefined ? [] : [{ ...address, subject: 'address' as const }]),
    ];
  }

  /** A correct password clears the account's count; the address only gets its try back. */
  async recordSuccess(subjects: ThrottleSubjects): Promise<void> {
    await this.#pool.query('DELETE FROM auth.sign_in_throttle WHERE subject = $1', [
      subjects.account,
    ]);
    await this.#giveBack(subjects.address);
  }

  // `failures` counts failed tries and tries still being checked alike.
  async #take(subject: string, threshold: number): Promise<number> {
    const taken = await this.#pool.query(
      `INSERT INTO auth.sign_in_throttle AS t (subject, failures) VALUES ($1, 1)
       ON CONFLICT (subject) DO UPDATE
       SET failures = t.failures + 1, last_failure_at = clock_timestamp()
       WHERE t.failures < $2 AND (t.locked_until IS NULL OR t.locked_until <= clock_timestamp())`,
      [subject, threshold],
    );
    if (taken.rowCount === 1) return 0;

    return this.#waitFor(subject);
  }

  async #giveBack(subject: string): Promise<void> {
    await this.#pool.query(
      `UPDATE auth.sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE subject = $1`,
      [subject],
    );
  }

  // Locked: until the lock ends. Out of tries but not locked yet: the checks still running are
  // about to start the next lockout, so as long as that one lasts.
  async #waitFor(subject: string): Promise<number> {
    const { baseLockoutSeconds, maxLockoutSeconds } = this.#settings;
    const result = await this.#pool.query<{ seconds: number }>(
      `SELECT CASE WHEN locked_until > clock_timestamp()
               THEN ceil(extract(epoch FROM locked_until - clock_timestamp()))
               ELSE least($3::float8, $2 * 2 ^ lockouts) END::integer AS seconds
       FROM auth.sign_in_throttle WHERE subject = $1`,
      [subject, baseLockoutSeconds, maxLockoutSeconds],
    );

    return Math.max(1, result.rows[0]?.seconds ?? baseLockoutSeconds);
  }

  // Only the statement that finds the tries used up starts a lockout, even under concurrency.
  async #lockIfExhausted(subject: string, threshold: number) {
    const { baseLockoutSeconds, maxLockoutSeconds } = this.#settings;
    const locked = await this.#pool.query<{ seconds: number; lockouts: number }>(
      `UPDATE auth.sign_in_throttle
       SET failures = 0, lockouts = lockouts + 1,
           locked_until = clock_timestamp()
             + make_interval(secs => least($3::float8, $2 * 2 ^ lockouts))
       WHERE subject = $1 AND failures >= $4
       RETURNING least($3::float8, $2 * 2 ^ (lockouts - 1))::integer AS seconds, lockouts`,
      [subject, baseLockoutSeconds, maxLockoutSeconds, threshold],
    );
    const row = locked.rows[0];

    return row === undefined ? undefined : { seconds: row.seconds, count: row.lockouts };
  }
}
