import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { withClient } from '@footfall/testing';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcServerOf } from '../src/app.ts';
import { loadSigningKeys, rotateSigningKey } from '../src/signing-keys.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { discoverServiceClient } from './oauth-clients.ts';
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

    const newKid = await withAuthPool(server, rotateSigningKey);
    expect(await oidcServerOf(server.app).refreshKeys()).toBe(true);
    const after = await issue();

    expect(newKid).not.toBe(oldKid);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect((await verify(before)).protectedHeader.kid).toBe(oldKid);
    expect((await verify(after)).protectedHeader.kid).toBe(newKid);
  });

  it('rotates from the documented command and keeps only the current and previous keys', async () => {
    const before = await issue();
    const args = [rotateKeysScript, '--activate-in', '0'];
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      env: { ...process.env, DATABASE_URL: server.databases.services.auth.runtimeUrl },
    });
    const printed = JSON.parse(stdout) as { rotated: boolean; kid: string };

    await oidcServerOf(server.app).refreshKeys();
    const keys = await withAuthPool(server, loadSigningKeys);

    expect(printed.rotated).toBe(true);
    expect(stdout).not.toContain('"d"');
    expect(keys.map((key) => key.kid)).toEqual([printed.kid, decodeProtectedHeader(before).kid]);
    expect(decodeProtectedHeader(await issue()).kid).toBe(printed.kid);
    await expect(verify(before)).resolves.toBeDefined();
  });

  it('publishes a key before it signs, then switches once it activates', async () => {
    const current = decodeProtectedHeader(await issue()).kid;

    const pending = await withAuthPool(server, (pool) => rotateSigningKey(pool, 3600));
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
});
