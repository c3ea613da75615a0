import { withTransaction } from '@footfall/db';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Pool, TransactionClient } from './database-pool.ts';

/** The algorithm of every key: ECDSA on P-256, which every JOSE library verifies. */
export const signingAlgorithm = 'ES256';

/** Keys kept after a rotation: the new current one and the one before it. */
const keysKept = 2;

/** Serialises first-start generation across replicas; the value is arbitrary but fixed. */
const generationLockKey = 4_101_000_001;

/**
 * The private signing keys, the one that signs first: the newest already active key, then keys
 * waiting to activate (published, not yet signing), then older ones (verifying only).
 */
export async function loadSigningKeys(pool: Pool): Promise<JWK[]> {
  const result = await pool.query<{ private_jwk: JWK }>(`
    SELECT private_jwk FROM auth.signing_keys
    ORDER BY (kid = (SELECT kid FROM auth.signing_keys WHERE activates_at <= clock_timestamp()
                     ORDER BY activates_at DESC, kid LIMIT 1)) DESC,
             activates_at DESC, kid`);

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

    if (existing.rowCount === 0) await insertKey(client, await generateSigningKey());
  });
}

/**
 * Adds a new key that signs from `activateInSeconds` on (published in the JWKS at once), and
 * deletes all but the newest two, so the key it replaces stays published for the tokens it
 * signed. Returns the new key's id.
 */
export async function rotateSigningKey(pool: Pool, activateInSeconds = 0): Promise<string> {
  const key = await generateSigningKey();

  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [generationLockKey]);
    await insertKey(client, key, activateInSeconds);
    await client.query(
      `DELETE FROM auth.signing_keys WHERE kid NOT IN (
         SELECT kid FROM auth.signing_keys ORDER BY activates_at DESC, kid LIMIT $1)`,
      [keysKept],
    );
  });

  return key.kid as string;
}

/** A fresh ES256 private key as a JWK, its id the RFC 7638 thumbprint. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);

  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: signingAlgorithm, use: 'sig' };
}

async function insertKey(
  client: TransactionClient,
  key: JWK,
  activateInSeconds = 0,
): Promise<void> {
  await client.query(
    `INSERT INTO auth.signing_keys (kid, private_jwk, activates_at)
     VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))`,
    [key.kid, key, activateInSeconds],
  );
}
