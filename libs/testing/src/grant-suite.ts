import {
  databaseFor,
  type ExpectedPrivileges,
  findPrivilegeViolations,
  readRoleAttributes,
  rolesOf,
  type ServiceDatabase,
  type ServiceName,
  serviceDatabases,
} from '@footfall/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDatabaseReach, type SuiteDatabases } from './database-reach.ts';
import {
  createTestDatabases,
  type TestDatabases,
  type TestServiceDatabase,
} from './service-databases.ts';
import { queryAs, withClient } from './with-client.ts';

const insufficientPrivilege = { code: '42501' };

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

  // findPrivilegeViolations holds the runtime and read-only roles to this already; the owner,
  // which migrations run as, only this test does (an owner with CREATEDB passes the matrix).
  it('gives its roles, the owner included, no cluster-wide powers and no memberships', async () => {
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

  describeDatabaseReach(role, suite, url);
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
