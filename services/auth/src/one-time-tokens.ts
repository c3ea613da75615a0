import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database-pool.ts';

export type OneTimePurpose = 'invitation' | 'password_reset';

export interface IssuedToken {
  /** The secret for the link; only its SHA-256 is stored. */
  readonly token: string;
  readonly expiresAt: Date;
}

/** Invitation and password-reset tokens: random, stored hashed, good for one use until expiry. */
export class OneTimeTokens {
  readonly #pool: Queryable;

  constructor(pool: Queryable) {
    this.#pool = pool;
  }

  /**
   * A new token. Earlier ones keep working until `supersede`, so a link that never reaches its
   * person takes nothing away; `withdraw` removes one that did not.
   */
  async issue(userId: string, purpose: OneTimePurpose, ttlSeconds: number): Promise<IssuedToken> {
    const token = randomBytes(32).toString('base64url');
    const result = await this.#pool.query<{ expires_at: Date }>(
      `INSERT INTO auth.one_time_tokens (token_hash, user_id, purpose, expires_at)
       VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4)) RETURNING expires_at`,
      [digest(token), userId, purpose, ttlSeconds],
    );

    return { token, expiresAt: result.rows[0]?.expires_at ?? new Date() };
  }

  /** The unused tokens of the same user and purpose issued before this one stop working. */
  async supersede(token: string): Promise<void> {
    await this.#pool.query(
      `UPDATE auth.one_time_tokens AS earlier SET used_at = clock_timestamp()
       FROM auth.one_time_tokens AS issued
       WHERE issued.token_hash = $1 AND earlier.user_id = issued.user_id
         AND earlier.purpose = issued.purpose AND earlier.created_at < issued.created_at
         AND earlier.used_at IS NULL`,
      [digest(token)],
    );
  }

  /** The token is gone, as if never issued. */
  async withdraw(token: string): Promise<void> {
    await this.#pool.query('DELETE FROM auth.one_time_tokens WHERE token_hash = $1', [
      digest(token),
    ]);
  }

  /** The user a still-usable token is for, without using it up (to show the form). */
  async peek(token: string): Promise<{ userId: string; purpose: OneTimePurpose } | undefined> {
    const result = await this.#pool.query<{ user_id: string; purpose: OneTimePurpose }>(
      `SELECT user_id, purpose FROM auth.one_time_tokens
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > clock_timestamp()`,
      [digest(token)],
    );
    const row = result.rows[0];

    return row === undefined ? undefined : { userId: row.user_id, purpose: row.purpose };
  }

  /** Uses the token up; of two concurrent uses exactly one gets the user id. */
  async consume(token: string): Promise<{ userId: string; purpose: OneTimePurpose } | undefined> {
    const result = await this.#pool.query<{ user_id: string; purpose: OneTimePurpose }>(
      `UPDATE auth.one_time_tokens SET used_at = clock_timestamp()
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > clock_timestamp()
       RETURNING user_id, purpose`,
      [digest(token)],
    );
    const row = result.rows[0];

    return row === undefined ? undefined : { userId: row.user_id, purpose: row.purpose };
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
