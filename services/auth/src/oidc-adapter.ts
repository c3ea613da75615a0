import { createHash } from 'node:crypto';
import Provider, { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Pool } from './database-pool.ts';

/** A class oidc-provider instantiates once per model name (Session, AccessToken, Grant, ...). */
export type AdapterConstructor = new (model: string) => Adapter;

const columns = 'payload, consumed_at';

/**
 * oidc-provider's storage in `auth.oidc_models`, one row per model instance. Expired rows are
 * never returned, even before the clean-up deletes them, so a replica's view is always the
 * database's.
 *
 * A model's id is what its holder presents (a refresh token, a code, an opaque access token, the
 * session cookie), so rows are keyed by its SHA-256 and the payload keeps no copy of it: a leaked
 * table or backup holds nothing anyone can use. Lookups by uid and grant id are unaffected.
 */
export function createPostgresAdapter(pool: Pool): AdapterConstructor {
  return class PostgresAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await pool.query(upsertSql, [
        this.model,
        storageKey(id),
        withoutCredentials(payload),
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        expiresIn > 0 ? expiresIn : null,
      ]);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = await this.findWhere('id = $2', storageKey(id));

      return found === undefined ? undefined : { ...found, jti: id };
    }

    // The id is not stored, so a session found by uid comes back without it. oidc-provider only
    // looks sessions up by uid to read them (whose they are, which grants they hold).
    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('uid = $2', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('user_code = $2', userCode);
    }

    // oidc-provider checks `consumed` on the row it read, then calls this. Only the request that
    // changes the row wins; any other read it unconsumed at the same time, which is reuse.
    async consume(id: string): Promise<void> {
      const consumed = await pool.query(
        `UPDATE auth.oidc_models SET consumed_at = clock_timestamp()
         WHERE model = $1 AND id = $2 AND consumed_at IS NULL`,
        [this.model, storageKey(id)],
      );
      if (consumed.rowCount === 1) return;

      await this.revokeGrantOf(storageKey(id));
      throw new errors.InvalidGrant('the code or refresh token was already used');
    }

    async destroy(id: string): Promise<void> {
      await pool.query('DELETE FROM auth.oidc_models WHERE model = $1 AND id = $2', [
        this.model,
        storageKey(id),
      ]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Every model of the grant, not only this one: revoking a grant ends all its tokens.
      await pool.query('DELETE FROM auth.oidc_models WHERE grant_id = $1', [grantId]);
    }

    /**
     * What oidc-provider does when a used code or refresh token comes back (RFC 9700 4.14.2):
     * the whole grant goes, every token it issued with it, and the `grant.revoked` event is the
     * audit's.
     */
    private async revokeGrantOf(key: string): Promise<void> {
      const found = await pool.query<{ grant_id: string | null }>(
        'SELECT grant_id FROM auth.oidc_models WHERE model = $1 AND id = $2',
        [this.model, key],
      );
      const grantId = found.rows[0]?.grant_id;
      if (grantId === undefined || grantId === null) return;

      await this.revokeByGrantId(grantId);
      await new PostgresAdapter('Grant').destroy(grantId);
      const ctx = Provider.ctx;
      ctx?.oidc.provider.emit('grant.revoked', ctx, grantId);
    }

    private async findWhere(condition: string, value: string) {
      const result = await pool.query<{ payload: AdapterPayload; consumed_at: Date | null }>(
        `SELECT ${columns} FROM auth.oidc_models
         WHERE model = $1 AND ${condition}
           AND (expires_at IS NULL OR expires_at > clock_timestamp())`,
        [this.model, value],
      );
      const row = result.rows[0];
      if (row === undefined) return undefined;

      // oidc-provider reads `consumed` as the epoch second the model was consumed at.
      const consumed = row.consumed_at === null ? {} : { consumed: epochSeconds(row.consumed_at) };
      return { ...row.payload, ...consumed };
    }
  };
}

/** The row key of a model id: SHA-256, hex, as migration 0005 computes it in SQL. */
export function storageKey(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

// Ids carry 256 bits of randomness or more, so an unsalted hash is as hard to reverse as the id is
// to guess. An interaction keeps a copy of its session's id (`session.cookie`), which
// oidc-provider never reads back: it goes too.
function withoutCredentials(payload: AdapterPayload): AdapterPayload {
  const { jti: _jti, ...stored } = payload;
  if (stored.session === undefined) return stored;

  const { cookie: _cookie, ...session } = stored.session;
  return { ...stored, session };
}

const upsertSql = `
  INSERT INTO auth.oidc_models (model, id, payload, grant_id, uid, user_code, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + make_interval(secs => $7))
  ON CONFLICT (model, id) DO UPDATE SET
    payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
    user_code = excluded.user_code, expires_at = excluded.expires_at`;

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
