import { describe, expect, it } from 'vitest';
import { obtainServiceToken, startAuthService, withClient } from '../src/index.ts';

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

describe('startAuthService', () => {
  it('runs the real auth service as a process, issues tokens, and leaves nothing behind', async () => {
    const auth = await startAuthService();
    const { adminUrl } = auth.databases;
    const database = auth.databases.services.auth.database;

    const token = await obtainServiceToken(auth, {
      clientId: 'tracking-ingestion',
      resource: 'urn:footfall:customer',
      scopes: ['customer:read'],
    });
    const ready = await fetch(`${auth.url}/readyz`);
    await auth.close();

    expect(token.split('.')).toHaveLength(3);
    expect(ready.status).toBe(200);
    await expect(fetch(`${auth.url}/readyz`)).rejects.toThrow();
    expect(await databaseExists(adminUrl, database)).toBe(false);
  });

  it('rejects with the service’s own output when it cannot start', async () => {
    const failed = startAuthService({ env: { AUTH_COOKIE_KEYS: 'too-short' } });

    await expect(failed).rejects.toThrow(/exited with 1[\s\S]*AUTH_COOKIE_KEYS/);
  });
});
