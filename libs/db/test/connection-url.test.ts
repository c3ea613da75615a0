import { buildConnectionUrl, replaceUrlCredentials, replaceUrlDatabase } from '@footfall/db';
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

// The oracle is node-postgres itself: what a client built from the URL would send the server.
function readBack(connectionString: string) {
  const client = new pg.Client({ connectionString });
  const { host, port, database, user, password } = client;

  return { host, port, database, user, password };
}

const databaseName = fc.stringMatching(/^[A-Za-z0-9_-]{1,63}$/);
// node-postgres reads an empty password as none at all, so only non-empty ones can round-trip.
const nonEmptyPassword = fc.string({ minLength: 1 });

describe('buildConnectionUrl', () => {
  it('round-trips any user and password, and any identifier-like database name', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        nonEmptyPassword,
        databaseName,
        (user, password, database) => {
          const parts = { host: 'db.internal', port: 5432, database, user, password };

          expect(readBack(buildConnectionUrl(parts))).toEqual(parts);
        },
      ),
    );
  });

  it('brackets IPv6 addresses', () => {
    const url = buildConnectionUrl({
      host: '::1',
      port: 5433,
      database: 'd',
      user: 'u',
      password: 'p',
    });

    expect(url).toBe('postgresql://u:p@[::1]:5433/d');
    expect(readBack(url).host).toBe('::1');
  });

  it.each([0, 65_536, 1.5])('rejects port %d as a caller mistake', (port) => {
    const parts = { host: 'h', port, database: 'd', user: 'u', password: 'p' };

    expect(() => buildConnectionUrl(parts)).toThrow(TypeError);
  });

  // Each would reach the server as some other name.
  it.each(['.', '..', 'a/b', 'what?', 'a#b', 'caf%C3%A9', ''])(
    'rejects database name %j',
    (database) => {
      const parts = { host: 'h', port: 5432, database, user: 'u', password: 'p' };

      expect(() => buildConnectionUrl(parts)).toThrow(TypeError);
    },
  );
});

describe('replaceUrlDatabase and replaceUrlCredentials', () => {
  const base = 'postgresql://admin:s%40cret@127.0.0.1:5432/postgres?application_name=x';

  it('change only the database, keeping credentials and options', () => {
    const url = replaceUrlDatabase(base, 'footfall_auth_t1');

    expect(readBack(url)).toMatchObject({
      database: 'footfall_auth_t1',
      user: 'admin',
      password: 's@cret',
    });
    expect(new URL(url).searchParams.get('application_name')).toBe('x');
  });

  it('change only the credentials, encoding them', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), nonEmptyPassword, (user, password) => {
        const url = replaceUrlCredentials(base, { user, password });

        expect(readBack(url)).toMatchObject({ user, password, database: 'postgres', port: 5432 });
      }),
    );
  });
});
