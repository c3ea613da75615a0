import { withTransaction } from '@footfall/db';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Pool, TransactionClient } from './database-pool.ts';

/** The algorithm of every key: ECDSA on P-256, which every JOSE library verifies. */
export const signingAlgorithm = 'ES256';

/** Serialises first-start generation and rotations across replicas; arbitrary but fixed. */
const generationLockKey = 4_101_000_001;

/**
 * The private signing keys, the one that signs first: the newest active key, then older ones
 * (verifying only), then keys waiting to activate (published, not yet signing). Throws when no
 * key is active: signing with a key verifiers may not have fetched yet is never the fallback.
 */
export async function loadSigningKeys(pool: Pool): Promise<JWK[]> {
  const result = await pool.query<{ private_jwk: JWK; active: boolean }>(`
    SELECT private_jwk, activates_at <= clock_timestamp() AS active FROM auth.signing_keys
    ORDER BY active DESC, activates_at DESC, kid`);
  if (result.rows[0]?.active !== true) {
    throw new Error('auth.signing_keys holds no active key: wait for a pending key to activate');
  }

  return result.rows.map((row) => row.private_jwk);
}

/**
 * Generates the first key when the database holds none. Replicas starting together take turns
 * under a transaction lock, so exactly one key is made.
 */
export async function ensureSigningKey(pool: Pool): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [generationLockKey]);
    const existing = await client.query('SELECT 1 FROM auth.signing_keys LIMIT 1');

    if (existing.rowCount === 0) await insertKey(client, await generateSigningKey(), 0);
  });
}

export interface RotationOptions {
  /** The new key is published at once and signs from this many seconds on. */
  readonly activateInSeconds: number;
  /** A replaced key is deleted once a newer one has been active this long. */
  readonly retainSeconds: number;
  /** Rotate even while an earlier rotation's key is still waiting to activate. */
  readonly force?: boolean;
}

export type RotationResult =
  | { readonly rotated: true; readonly kid: string; readonly deletedKids: string[] }
  | { readonly rotated: false; readonly pendingKid: string; readonly activatesInSeconds: number };

/**
 * Adds a new key that signs from `activateInSeconds` on (published in the JWKS at once), and
 * deletes the keys a newer one replaced more than `retainSeconds` ago. Refuses, unless forced,
 * while another key is still waiting to activate: two rotations that close together are a
 * mistake more often than a plan.
 */
export async function rotateSigningKey(
  pool: Pool,
  options: RotationOptions,
): Promise<RotationResult> {
  const key = await generateSigningKey();

  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [generationLockKey]);
    const pending = await findPendingKey(client);
    if (pending !== undefined && options.force !== true) return { rotated: false, ...pending };

    await insertKey(client, key, options.activateInSeconds);
    const deletedKids = await deleteRetiredKeys(client, options.retainSeconds);
    return { rotated: true, kid: key.kid as string, deletedKids };
  });
}

/** A fresh ES256 private key as a JWK, its id the RFC 7638 thumbprint. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);

  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: signingAlgorithm, use: 'sig' };
}

async function findPendingKey(client: TransactionClient) {
  const result = await client.query<{ kid: string; seconds: number }>(
    `SELECT kid, ceil(extract(epoch FROM activates_at - clock_timestamp()))::integer AS seconds
     FROM auth.signing_keys WHERE activates_at > clock_timestamp()
     ORDER BY activates_at DESC LIMIT 1`,
  );
  const row = result.rows[0];

  return row === undefined ? undefined : { pendingKid: row.kid, activatesInSeconds: row.seconds };
}

// A key is out of use once any newer key is active; the newest active key is never deleted.
async function deleteRetiredKeys(client: TransactionClient, retainSeconds: number) {
  const result = await client.query<{ kid: string }>(
    `DELETE FROM auth.signing_keys AS retired
     WHERE EXISTS (
       SELECT 1 FROM auth.signing_keys AS newer
       WHERE newer.activates_at > retired.activates_at
         AND newer.activates_at <= clock_timestamp() - make_interval(secs => $1))
     RETURNING kid`,
    [retainSeconds],
  );

  return result.rows.map((row) => row.kid);
}

async function insertKey(
  client: TransactionClient,
  key: JWK,
  activateInSeconds: number,
): Promise<void> {
  await client.query(
    `INSERT INTO auth.signing_keys (kid, private_jwk, activates_at)
     VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))`,
    [key.kid, key, activateInSeconds],
  );
}
