import Provider, { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Pool } from './database-pool.ts';

/** A class oidc-provider instantiates once per model name (Session, AccessToken, Grant, ...). */
export type AdapterConstructor = new (model: string) => Adapter;

const columns = 'payload, consumed_at';

/**
 * oidc-provider's storage in `auth.oidc_models`, one row per model instance. Expired rows are
 * never returned, even before the clean-up deletes them, so a replica's view is always the
 * database's.
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
        id,
        payload,
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        expiresIn > 0 ? expiresIn : null,
      ]);
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('id = $2', id);
    }

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
        [this.model, id],
      );
      if (consumed.rowCount === 1) return;

      await revokeGrantOf(pool, this.model, id);
      throw new errors.InvalidGrant('the code or refresh token was already used');
    }

    async destroy(id: string): Promise<void> {
      await pool.query('DELETE FROM auth.oidc_models WHERE model = $1 AND id = $2', [
        this.model,
        id,
      ]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Every model of the grant, not only this one: revoking a grant ends all its tokens.
      await pool.query('DELETE FROM auth.oidc_models WHERE grant_id = $1', [grantId]);
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

const upsertSql = `
  INSERT INTO auth.oidc_models (model, id, payload, grant_id, uid, user_code, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + make_interval(secs => $7))
  ON CONFLICT (model, id) DO UPDATE SET
    payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
    user_code = excluded.user_code, expires_at = excluded.expires_at`;

/**
 * What oidc-provider does when a used code or refresh token comes back (RFC 9700 4.14.2): the
 * whole grant goes, every token it issued with it, and the `grant.revoked` event is the audit's.
 */
async function revokeGrantOf(pool: Pool, model: string, id: string): Promise<void> {
  const found = await pool.query<{ grant_id: string | null }>(
    'SELECT grant_id FROM auth.oidc_models WHERE model = $1 AND id = $2',
    [model, id],
  );
  const grantId = found.rows[0]?.grant_id;
  if (grantId === undefined || grantId === null) return;

  await pool.query(
    `DELETE FROM auth.oidc_models WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`,
    [grantId],
  );
  const ctx = Provider.ctx;
  ctx?.oidc.provider.emit('grant.revoked', ctx, grantId);
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
