import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { discoverServiceClient, queryAs, withClient } from '@footfall/testing';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcServerOf } from '../src/app.ts';
import { configSchema, longestKeyRefreshIntervalMs } from '../src/config.ts';
import { retiredKeyRetentionSeconds } from '../src/signing-key-retention.ts';
import { loadSigningKeys, rotateSigningKey } from '../src/signing-keys.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { withAuthPool } from './test-pool.ts';

const customer = 'urn:footfall:customer';
const rotateKeysScript = resolve(import.meta.dirname, '../src/rotate-keys.ts');

describe('signing key rotation', () => {
  let server: AuthServer;
  let ingestion: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer();
    ingestion = await discoverServiceClient(server, 'tracking-ingestion');
  });

  afterAll(async () => {
    await server?.close();
  });

  const issue = async () =>
    (await client.clientCredentialsGrant(ingestion, { resource: customer })).access_token;

  const verify = (token: string) => {
    // A fresh key set each time, as a verifier that has never seen the keys would fetch it.
    const jwks = createRemoteJWKSet(new URL(ingestion.serverMetadata().jwks_uri ?? ''));
    return jwtVerify(token, jwks, { issuer: server.issuer, audience: customer });
  };

  it('generates one key on first start, stored in the database', async () => {
    const keys = await withAuthPool(server, loadSigningKeys);

    expect(keys).toHaveLength(1);
    expect(decodeProtectedHeader(await issue()).kid).toBe(keys[0]?.kid);
  });

  it('signs new tokens with the new key and still verifies tokens signed before', async () => {
    const before = await issue();
    const oldKid = decodeProtectedHeader(before).kid;

    const newKid = await rotate(server, 0);
    expect(await oidcServerOf(server.app).refreshKeys()).toBe(true);
    const after = await issue();

    expect(newKid).not.toBe(oldKid);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect((await verify(before)).protectedHeader.kid).toBe(oldKid);
    expect((await verify(after)).protectedHeader.kid).toBe(newKid);
  });

  it('rotates from the documented command and keeps the keys it replaced', async () => {
    const before = await issue();
    const keysBefore = (await withAuthPool(server, loadSigningKeys)).map((key) => key.kid);

    const { stdout, exitCode } = await runRotateKeys(server, ['--activate-in', '0']);
    const printed = JSON.parse(stdout) as { rotated: boolean; kid: string; deletedKids: string[] };
    await oidcServerOf(server.app).refreshKeys();
    const keys = await withAuthPool(server, loadSigningKeys);

    expect(exitCode).toBe(0);
    expect(printed).toMatchObject({ rotated: true, deletedKids: [] });
    expect(stdout).not.toContain('"d"');
    expect(keys.map((key) => key.kid)).toEqual([printed.kid, ...keysBefore]);
    expect(decodeProtectedHeader(await issue()).kid).toBe(printed.kid);
    await expect(verify(before)).resolves.toBeDefined();
  });

  it('publishes a key before it signs, then switches once it activates', async () => {
    const current = decodeProtectedHeader(await issue()).kid;

    const pending = await rotate(server, 3600);
    await oidcServerOf(server.app).refreshKeys();
    const response = await fetch(ingestion.serverMetadata().jwks_uri ?? '');
    const published = (await response.json()) as { keys: { kid: string }[] };

    expect(published.keys.map((key) => key.kid)).toEqual(
      expect.arrayContaining([current, pending]),
    );
    expect(decodeProtectedHeader(await issue()).kid).toBe(current);

    await withClient(server.databases.services.auth.adminUrl, (db) =>
      db.query('UPDATE auth.signing_keys SET activates_at = now() WHERE kid = $1', [pending]),
    );
    expect(await oidcServerOf(server.app).refreshKeys()).toBe(true);
    expect(decodeProtectedHeader(await issue()).kid).toBe(pending);
  });

  it('refuses from the command while a key waits to activate, unless forced', async () => {
    const pending = await rotate(server, 3600);

    const refused = await runRotateKeys(server, []);
    const forced = await runRotateKeys(server, ['--force']);

    expect(refused.exitCode).toBe(1);
    expect(JSON.parse(refused.stdout)).toEqual({
      rotated: false,
      error: expect.stringContaining(pending),
    });
    expect(refused.stdout).toContain('--force');
    expect(forced.exitCode).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ rotated: true, activatesInSeconds: 120 });
  });
});

describe('retiring signing keys', () => {
  let server: AuthServer;
  let ingestion: client.Configuration;

  beforeAll(async () => {
    server = await startAuthServer();
    ingestion = await discoverServiceClient(server, 'tracking-ingestion');
  });

  afterAll(async () => {
    await server?.close();
  });

  const issue = async () =>
    (await client.clientCredentialsGrant(ingestion, { resource: customer })).access_token;
  const signingKid = async () => decodeProtectedHeader(await issue()).kid;
  const jwksKids = async () => {
    const response = await fetch(ingestion.serverMetadata().jwks_uri ?? '');
    return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
  };

  // Retention is computed for longestKeyRefreshIntervalMs; a longer setting would let a replica
  // sign with a key that rotations have already deleted.
  it('accepts no key refresh interval longer than the one key retention is computed for', () => {
    const interval = configSchema.shape.AUTH_KEY_REFRESH_INTERVAL_MS;

    expect(interval.safeParse(String(longestKeyRefreshIntervalMs)).success).toBe(true);
    expect(interval.safeParse(String(longestKeyRefreshIntervalMs + 1)).success).toBe(false);
  });

  it('keeps the active key signing through two rotations in the activation delay', async () => {
    const current = await signingKid();

    const first = await rotate(server, 120);
    const second = await withAuthPool(server, (pool) =>
      rotateSigningKey(pool, { activateInSeconds: 120, retainSeconds, force: true }),
    );
    await oidcServerOf(server.app).refreshKeys();

    expect(second).toMatchObject({ rotated: true, deletedKids: [] });
    expect(await signingKid()).toBe(current);
    expect(await jwksKids()).toEqual(expect.arrayContaining([current, first]));
  });

  it('never signs with a key that is not active yet, even when no key is', async () => {
    const current = await signingKid();
    const adminUrl = server.databases.services.auth.adminUrl;
    const shift = (seconds: number) =>
      queryAs(
        adminUrl,
        "UPDATE auth.signing_keys SET activates_at = activates_at + $1 * interval '1 s'",
        [seconds],
      );

    await shift(86_400);
    const loading = withAuthPool(server, loadSigningKeys);
    await expect(loading).rejects.toThrow('no active key');
    await expect(oidcServerOf(server.app).refreshKeys()).rejects.toThrow('no active key');
    const stillSigning = await signingKid();
    await shift(-86_400);

    expect(stillSigning).toBe(current);
  });

  it('deletes a replaced key only once a newer one has been active for the retention', async () => {
    const [oldest, replaced, current] = await threeKeys(server);

    // `replaced` took over from `oldest` longer ago than the retention, `current` took over
    // from `replaced` not as long ago: only `oldest` can no longer have a valid token.
    await layOut(server, [
      [oldest, -3 * retainSeconds],
      [replaced, -retainSeconds - 600],
      [current, -retainSeconds + 600],
    ]);
    const rotation = await rotate(server, 0);
    await oidcServerOf(server.app).refreshKeys();
    const kept = (await withAuthPool(server, loadSigningKeys)).map((key) => key.kid);

    expect(kept).toEqual([rotation, current, replaced]);
    expect(await jwksKids()).not.toContain(oldest);
    expect(await signingKid()).toBe(rotation);
  });
});

const retainSeconds = retiredKeyRetentionSeconds;

/** Rotates through the module, refusing nothing; returns the new key's id. */
async function rotate(server: AuthServer, activateInSeconds: number): Promise<string> {
  const result = await withAuthPool(server, (pool) =>
    rotateSigningKey(pool, { activateInSeconds, retainSeconds, force: true }),
  );
  if (!result.rotated) throw new Error('forced rotation refused');

  return result.kid;
}

async function runRotateKeys(server: AuthServer, args: string[]) {
  const env = { ...process.env, DATABASE_URL: server.databases.services.auth.runtimeUrl };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [rotateKeysScript, ...args], {
      env,
    });
    return { stdout, exitCode: 0 };
  } catch (error) {
    const failed = error as { stdout: string; code: number };
    return { stdout: failed.stdout, exitCode: failed.code };
  }
}

/** Rotates until exactly three keys are stored, all active; returns them oldest first. */
async function threeKeys(server: AuthServer): Promise<[string, string, string]> {
  await queryAs(
    server.databases.services.auth.adminUrl,
    `DELETE FROM auth.signing_keys WHERE kid NOT IN (
       SELECT kid FROM auth.signing_keys WHERE activates_at <= now()
       ORDER BY activates_at DESC LIMIT 1)`,
  );
  const first = (await withAuthPool(server, loadSigningKeys))[0]?.kid ?? '';

  return [first, await rotate(server, 0), await rotate(server, 0)];
}

/** Moves each key's activation to `offset` seconds from now. */
async function layOut(server: AuthServer, offsets: [string, number][]): Promise<void> {
  for (const [kid, offset] of offsets) {
    await queryAs(
      server.databases.services.auth.adminUrl,
      `UPDATE auth.signing_keys SET activates_at = now() + $2 * interval '1 s' WHERE kid = $1`,
      [kid, offset],
    );
  }
}
