import {
  databaseFor,
  type ExpectedPrivileges,
  findPrivilegeViolations,
  maintenanceDatabases,
  messagingDatabase,
  readRoleAttributes,
  replaceUrlDatabase,
  rolesOf,
  type ServiceDatabase,
  type ServiceName,
  serviceDatabases,
} from '@footfall/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestDatabases,
  type TestDatabases,
  type TestServiceDatabase,
} from './service-databases.ts';
import { queryAs, withClient } from './with-client.ts';

const insufficientPrivilege = { code: '42501' };

/** The suite's own databases, created before its tests and dropped after them. */
interface SuiteDatabases {
  own(): TestServiceDatabase;
  suffix(): string;
}

/**
 * Registers the grant tests every service shares: its database's privileges match its
 * declaration exactly (catalog-driven, so an undeclared table or grant fails), and, connected as
 * each runtime and read-only role, the things least privilege rules out really are refused.
 * Call it at the top level of `services/<name>/test/grants.test.ts`.
 */
export function describeServiceGrants(service: ServiceName, expected: ExpectedPrivileges): void {
  const model = databaseFor(service);

  describe(`${service} database grants`, () => {
    const suite = useSuiteDatabases(service);

    describeCatalogChecks(model, expected, suite);
    describe.each(connectingRoles(model))('as %s', (role) => {
      describeRoleProbes(model, role, suite);
    });
  });
}

function useSuiteDatabases(service: ServiceName): SuiteDatabases {
  let databases: TestDatabases | undefined;
  const created = () => {
    if (databases === undefined) {
      throw new Error('test databases were not created; see the beforeAll failure');
    }

    return databases;
  };

  beforeAll(async () => {
    databases = await createTestDatabases();
  });
  afterAll(async () => {
    await databases?.drop();
  });

  return { own: () => created().services[service], suffix: () => created().suffix };
}

// What the catalog says, read as the admin.
function describeCatalogChecks(
  model: ServiceDatabase,
  expected: ExpectedPrivileges,
  suite: SuiteDatabases,
): void {
  it('holds exactly the declared privileges, for every object in the catalog', async () => {
    const violations = await withClient(suite.own().adminUrl, (client) =>
      findPrivilegeViolations(client, model, expected),
    );

    expect(violations).toEqual([]);
  });

  it('gives its roles no cluster-wide powers and no role memberships', async () => {
    const attributes = await withClient(suite.own().adminUrl, (client) =>
      readRoleAttributes(client, rolesOf(model)),
    );

    expect(attributes.filter((attribute) => attribute.held)).toEqual([]);
  });

  it('grants PUBLIC nothing on any footfall database', async () => {
    const names = serviceDatabases.map((database) => database.database + suite.suffix());
    const result = await queryAs(suite.own().adminUrl, publicDatabaseGrantsQuery, [names]);

    expect(result.rows).toEqual([]);
  });

  it('keeps the migration history from the runtime role', async () => {
    const read = queryAs(suite.own().runtimeUrl, `SELECT * FROM ${model.schema}.schema_migrations`);

    await expect(read).rejects.toMatchObject(insufficientPrivilege);
  });
}

// What the server refuses when the role itself tries.
function describeRoleProbes(model: ServiceDatabase, role: string, suite: SuiteDatabases): void {
  const url = () => urlOf(suite.own(), role);

  it.each([
    ['a table in its schema', `CREATE TABLE ${model.schema}.grant_probe (id int)`],
    ['a table in public', 'CREATE TABLE public.grant_probe (id int)'],
    ['a schema', 'CREATE SCHEMA grant_probe'],
    ['a temporary table', 'CREATE TEMP TABLE grant_probe (id int)'],
  ])('cannot create %s', async (_object, statement) => {
    await expect(queryAs(url(), statement)).rejects.toMatchObject(insufficientPrivilege);
  });

  it('cannot connect to any other footfall database', async () => {
    for (const other of otherDatabases(model, role)) {
      const otherUrl = replaceUrlDatabase(url(), other + suite.suffix());

      await expect(queryAs(otherUrl, 'SELECT 1')).rejects.toMatchObject(insufficientPrivilege);
    }
  });

  describeServerReach(role, suite);
}

// Every database of the server, the maintenance ones included, not just the platform's.
function describeServerReach(role: string, suite: SuiteDatabases): void {
  const judged = () => judgeDatabases(inject('footfallPostgres').source);

  it('holds nothing on any database of the server but CONNECT on its own', async () => {
    const result = await queryAs(suite.own().adminUrl, databasePrivilegesQuery, [role]);
    const held = result.rows as { datname: string; privilege: string }[];

    const unexpected = held.filter(
      (row) =>
        judged()(row.datname) && !(row.privilege === 'CONNECT' && mayConnect(role, row.datname)),
    );
    expect(unexpected).toEqual([]);
  });

  it('is refused by every database it may not connect to', async () => {
    const result = await queryAs(suite.own().adminUrl, connectableDatabasesQuery);
    const names = result.rows.map((row: { datname: string }) => row.datname);
    const refused = names.filter((name) => judged()(name) && !mayConnect(role, name));

    const mustProbe = [
      ...suiteDatabasesOutside(role, suite.suffix()),
      ...(inject('footfallPostgres').source === 'embedded' ? maintenanceDatabases : []),
    ];
    expect(refused).toEqual(expect.arrayContaining(mustProbe));
    for (const name of refused) {
      const attempt = queryAs(replaceUrlDatabase(urlOf(suite.own(), role), name), 'SELECT 1');

      // 3D000: a database of another suite, dropped since it was listed.
      await expect(attempt, name).rejects.toMatchObject({ code: expect.stringMatching(refusal) });
    }
  });
}

const refusal = /^(42501|3D000)$/;

const connectableDatabasesQuery = 'SELECT datname FROM pg_database WHERE datallowconn';

// By oid, so a database dropped meanwhile reads as NULL (not held) instead of an error.
const databasePrivilegesQuery = `
  SELECT datname, privilege FROM pg_database
  CROSS JOIN unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS privilege
  WHERE datallowconn AND has_database_privilege($1, oid, privilege)`;

/**
 * Which databases the reach tests hold a role to. On the run's own embedded server, all of them:
 * a platform role may connect to none but its own (PUBLIC's defaults on postgres and template1
 * are revoked). A TEST_DATABASE_URL server is not the platform's, so only its footfall databases
 * are judged; its others keep whatever their owners decided (docs/database.md).
 */
function judgeDatabases(source: 'embedded' | 'external'): (name: string) => boolean {
  // libs/messaging's outbox tests make scratch databases of their own (`scratch_*`) with
  // PostgreSQL's default ACL; they come and go during a run and hold nothing of the platform.
  const isScratch = (name: string) => name.startsWith('scratch_');

  return source === 'embedded' ? (name) => !isScratch(name) : isFootfallDatabase;
}

// A footfall database under any suffix: this suite's, another suite's, or an unsuffixed one.
function baseOf(name: string): string | undefined {
  return [...serviceDatabases, messagingDatabase]
    .map((database) => database.database)
    .find((base) => name === base || name.startsWith(`${base}_`));
}

function isFootfallDatabase(name: string): boolean {
  return baseOf(name) !== undefined;
}

// Its own database and, for a runtime role, the broker's, whatever their suffix.
function mayConnect(role: string, name: string): boolean {
  const base = baseOf(name);
  const own = serviceDatabases.some(
    (database) => database.database === base && rolesOf(database).includes(role),
  );
  const broker =
    base === messagingDatabase.database && messagingDatabase.clientRoles.includes(role);

  return own || broker;
}

// This suite's footfall databases the role may not enter: they must be among those probed.
function suiteDatabasesOutside(role: string, suffix: string): string[] {
  return [...serviceDatabases, messagingDatabase]
    .map((database) => database.database + suffix)
    .filter((name) => !mayConnect(role, name));
}

const publicDatabaseGrantsQuery = `
  SELECT datname, privilege FROM pg_database
  CROSS JOIN unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS privilege
  WHERE datname = ANY($1::text[]) AND has_database_privilege('public', datname, privilege)`;

function connectingRoles(model: ServiceDatabase): string[] {
  return [model.runtimeRole, ...model.readOnlyRoles];
}

function urlOf(database: TestServiceDatabase, role: string): string {
  return database.readerUrls[role] ?? database.runtimeUrl;
}

// Every footfall database this role has no business in: all but the one it was granted.
function otherDatabases(own: ServiceDatabase, role: string): string[] {
  return serviceDatabases
    .filter((database) => database !== own && !rolesOf(database).includes(role))
    .map((database) => database.database);
}
