import {
  maintenanceDatabases,
  messagingDatabase,
  replaceUrlDatabase,
  rolesOf,
  serviceDatabases,
} from '@footfall/db';
import { expect, inject, it } from 'vitest';
import type { TestServiceDatabase } from './service-databases.ts';
import { queryAs } from './with-client.ts';

/** A grant suite's own databases, created before its tests and dropped after them. */
export interface SuiteDatabases {
  own(): TestServiceDatabase;
  suffix(): string;
}

/**
 * Registers the tests of how far a runtime or read-only role reaches across the server: every
 * database that accepts connections, the maintenance ones included, not only the platform's.
 * The role may hold CONNECT on its own database (a runtime role also on the broker's) and
 * nothing else, and every other database refuses it.
 */
export function describeDatabaseReach(
  role: string,
  suite: SuiteDatabases,
  roleUrl: () => string,
): void {
  it('holds nothing on any database of the server but CONNECT on its own', async () => {
    const judged = await listJudgedDatabases(suite);
    const result = await queryAs(suite.own().adminUrl, databasePrivilegesQuery, [role, judged]);

    const unexpected = result.rows.filter(
      (row) => !(row.privilege === 'CONNECT' && mayConnect(role, row.datname)),
    );
    expect(unexpected).toEqual([]);
  });

  it('is refused by every database it may not connect to', async () => {
    const refused = (await listJudgedDatabases(suite)).filter((name) => !mayConnect(role, name));
    expect(refused).toEqual(expect.arrayContaining(mustBeRefused(role, suite.suffix())));

    for (const name of refused) {
      const url = replaceUrlDatabase(roleUrl(), name);

      await expect(queryAs(url, 'SELECT 1'), name).rejects.toMatchObject({ code: '42501' });
    }
  });
}

const databasePrivilegesQuery = `
  SELECT datname, privilege FROM pg_database
  CROSS JOIN unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS privilege
  WHERE datname = ANY($2::text[]) AND has_database_privilege($1, oid, privilege)`;

/**
 * The databases a suite holds its roles to. Of the platform's, only the suite's own: other
 * suites' are copies made by the same bootstrap, which each checks itself, and they come and go
 * while this runs. On the
 * run's own embedded server, every other database too, where PUBLIC's defaults are revoked. A
 * TEST_DATABASE_URL server is not the platform's: its other databases keep what their owners
 * decided (docs/database.md).
 */
async function listJudgedDatabases(suite: SuiteDatabases): Promise<string[]> {
  const result = await queryAs(
    suite.own().adminUrl,
    'SELECT datname FROM pg_database WHERE datallowconn',
  );
  const names: string[] = result.rows.map((row) => row.datname);
  const ownServer = inject('footfallPostgres').source === 'embedded';

  return names.filter((name) =>
    baseOf(name) === undefined ? ownServer : name.endsWith(suite.suffix()),
  );
}

// The platform database a name belongs to, whatever its suffix.
function baseOf(name: string): string | undefined {
  return [...serviceDatabases, messagingDatabase]
    .map((database) => database.database)
    .find((base) => name === base || name.startsWith(`${base}_`));
}

// Its own database and, for a runtime role, the broker's.
function mayConnect(role: string, name: string): boolean {
  const base = baseOf(name);
  const own = serviceDatabases.some(
    (database) => database.database === base && rolesOf(database).includes(role),
  );
  const broker =
    base === messagingDatabase.database && messagingDatabase.clientRoles.includes(role);

  return own || broker;
}

// What the probe must at least cover, so an empty listing cannot pass it.
function mustBeRefused(role: string, suffix: string): string[] {
  const platform = [...serviceDatabases, messagingDatabase]
    .map((database) => database.database + suffix)
    .filter((name) => !mayConnect(role, name));
  const ownServer = inject('footfallPostgres').source === 'embedded';

  return [...platform, ...(ownServer ? maintenanceDatabases : [])];
}
