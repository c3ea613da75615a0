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

  /** Seconds until the later of the two locks ends, or 0 when neither subject is locked. */
  async lockedFor(subjects: ThrottleSubjects): Promise<number> {
    const result = await this.#pool.query<{ seconds: number | null }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - clock_timestamp()))::integer AS seconds
       FROM auth.sign_in_throttle WHERE subject = ANY($1) AND locked_until > clock_timestamp()`,
      [[subjects.account, subjects.address]],
    );

    return Math.max(0, result.rows[0]?.seconds ?? 0);
  }

  /** Counts a failure against both subjects; returns the lockouts it started. */
  async recordFailure(subjects: ThrottleSubjects): Promise<Lockout[]> {
    const account = await this.#fail(subjects.account, this.#settings.accountThreshold);
    const address = await this.#fail(subjects.address, this.#settings.addressThreshold);

    return [
      ...(account === undefined ? [] : [{ ...account, subject: 'account' as const }]),
      ...(address === undefined ? [] : [{ ...address, subject: 'address' as const }]),
    ];
  }

  /** A correct password clears the account's count; the address keeps its own. */
  async recordSuccess(subjects: ThrottleSubjects): Promise<void> {
    await this.#pool.query('DELETE FROM auth.sign_in_throttle WHERE subject = $1', [
      subjects.account,
    ]);
  }

  async #fail(subject: string, threshold: number) {
    await this.#pool.query(
      `INSERT INTO auth.sign_in_throttle AS t (subject, failures) VALUES ($1, 1)
       ON CONFLICT (subject) DO UPDATE
       SET failures = t.failures + 1, last_failure_at = clock_timestamp()`,
      [subject],
    );

    // Only the statement that crosses the threshold starts a lockout, even under concurrency.
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
