import { withTransaction } from '@footfall/db';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Pool, TransactionClient } from './database-pool.ts';

/** The algorithm of every key: ECDSA on P-256, which every JOSE library verifies. */
export const signingAlgorithm = 'ES256';

/** Keys kept after a rotation: the new current one and the one before it. */
const keysKept = 2;

/** Serialises first-start generation across replicas; the value is arbitrary but fixed. */
const generationLockKey = 4_101_000_001;

/** The private signing keys, newest (the one that signs) first. */
export async function loadSigningKeys(pool: Pool): Promise<JWK[]> {
  const result = await pool.query<{ private_jwk: JWK }>(
    'SELECT private_jwk FROM auth.signing_keys ORDER BY created_at DESC, kid',
  );

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
 * Adds a new current key and deletes all but the newest two, so the previous key stays in the
 * JWKS for tokens it signed. Returns the new key's id.
 */
export async function rotateSigningKey(pool: Pool): Promise<string> {
  const key = await generateSigningKey();

  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [generationLockKey]);
    await insertKey(client, key);
    await client.query(
      `DELETE FROM auth.signing_keys WHERE kid NOT IN (
         SELECT kid FROM auth.signing_keys ORDER BY created_at DESC, kid LIMIT $1)`,
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

async function insertKey(client: TransactionClient, key: JWK): Promise<void> {
  await client.query('INSERT INTO auth.signing_keys (kid, private_jwk) VALUES ($1, $2)', [
    key.kid,
    key,
  ]);
}
