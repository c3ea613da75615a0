import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@footfall/db';
import {
  createTestDatabases,
  discoverServiceClient,
  generateClientSecrets,
  migrateAll,
  migrationsDirectory,
  type TestDatabases,
  withClient,
} from '@footfall/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKey } from '../src/oidc-adapter.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';

const migration = '0005_hash_oidc_model_ids';
const auth = 'urn:footfall:auth';

/** Credentials as the adapter stored them before the migration: raw ids, copied into jti. */
const token = randomBytes(32).toString('base64url');
const sessionId = randomBytes(32).toString('base64url');
const interactionId = randomBytes(32).toString('base64url');

function legacyRows(): [string, string, Record<string, unknown>][] {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 300;
  const session = { accountId: 'someone', uid: 'session-uid', cookie: sessionId };

  return [
    [
      'ClientCredentials',
      token,
      { jti: token, iat, exp, kind: 'ClientCredentials', clientId: 'customer', aud: auth },
    ],
    ['Session', sessionId, { jti: sessionId, iat, exp, kind: 'Session', uid: 'session-uid' }],
    ['Interaction', interactionId, { jti: interactionId, iat, exp, kind: 'Interaction', session }],
  ];
}

describe(`migration ${migration}`, () => {
  let databases: TestDatabases;
  let server: AuthServer;

  beforeAll(async () => {
    databases = await createTestDatabases({ migrate: false });
    await migrateAuthUpTo(databases, migration);
    await insertLegacyRows(databases);
    await migrateAll([databases.services.auth], databases.messaging);
    server = await startAuthServer({ databases, clientSecrets: generateClientSecrets() });
  });

  afterAll(async () => {
    await server?.close();
    await databases?.drop();
  });

  it('keys every existing row by the SHA-256 of its id and keeps no copy of it', async () => {
    const rows = await withClient(databases.services.auth.adminUrl, async (db) => {
      const result = await db.query<{ model: string; id: string; row: string }>(
        'SELECT model, id, row_to_json(m)::text AS row FROM auth.oidc_models m ORDER BY model',
      );
      return result.rows;
    });

    expect(rows.map(({ model, id }) => [model, id])).toEqual([
      ['ClientCredentials', storageKey(token)],
      ['Interaction', storageKey(interactionId)],
      ['Session', storageKey(sessionId)],
    ]);
    for (const secret of [token, sessionId, interactionId]) {
      expect(rows.filter(({ row }) => row.includes(secret))).toEqual([]);
    }
    expect(rows.filter(({ row }) => row.includes('"jti"') || row.includes('"cookie"'))).toEqual([]);
  });

  it('leaves a token issued before it working', async () => {
    const customer = await discoverServiceClient(server, 'customer');

    expect(await client.tokenIntrospection(customer, token)).toMatchObject({
      active: true,
      client_id: 'customer',
      aud: auth,
    });
  });
});

async function migrateAuthUpTo(databases: TestDatabases, before: string): Promise<void> {
  const source = migrationsDirectory('auth');
  const earlier = (await readdir(source)).filter((name) => name < before);
  const directory = await mkdtemp(join(tmpdir(), 'auth-migrations-'));

  try {
    for (const name of earlier) await copyFile(join(source, name), join(directory, name));
    await runMigrations({ ...authMigration(databases), directory });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function insertLegacyRows(databases: TestDatabases): Promise<void> {
  await withClient(databases.services.auth.ownerUrl, async (db) => {
    for (const [model, id, payload] of legacyRows()) {
      await db.query(
        `INSERT INTO auth.oidc_models (model, id, payload, expires_at)
         VALUES ($1, $2, $3, now() + interval '5 minutes')`,
        [model, id, payload],
      );
    }
  });
}

function authMigration(databases: TestDatabases) {
  return { connectionString: databases.services.auth.ownerUrl, schema: 'auth' };
}
