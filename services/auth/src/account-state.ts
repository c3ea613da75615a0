import type { Pool } from './database-pool.ts';

/**
 * Everything the authorization server holds for one person: sessions, grants, codes and tokens
 * (oidc-provider's models carry the account id in their payload).
 */
export class AccountState {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  /** Signs the person out everywhere and revokes every token that can still be looked up. */
  async revokeAll(userId: string): Promise<number> {
    const result = await this.#pool.query(
      `DELETE FROM auth.oidc_models WHERE payload->>'accountId' = $1`,
      [userId],
    );

    return result.rowCount ?? 0;
  }
}
