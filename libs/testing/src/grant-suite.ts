import {
  databaseFor,
  type ExpectedPrivileges,
  findPrivilegeViolations,
  replaceUrlDatabase,
  rolesOf,
  type ServiceName,
  serviceDatabases,
} from '@footfall/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabases, type TestDatabases } from './service-databases.ts';
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
  let databases: TestDatabases | undefined;
  const own = () => {
    if (databases === undefined) {
      throw new Error('test databases were not created; see the beforeAll failure');
    }

    return databases.services[service];
  };

  describe(`${service} database grants`, () => {
    beforeAll(async () => {
      databases = await createTestDatabases();
    });

    afterAll(async () => {
      await databases?.drop();
    });

    it('holds exactly the declared privileges, for every object in the catalog', async () => {
      const violations = await withClient(own().adminUrl, (client) =>
        findPrivilegeViolations(client, model, expected),
      );

      expect(violations).toEqual([]);
    });

    it('gives its roles no cluster-wide powers and no role memberships', async () => {
      const result = await queryAs(own().adminUrl, rolePowersQuery, [rolesOf(model)]);

      expect(result.rows).toEqual([]);
    });

    it('grants PUBLIC nothing on any footfall database', async () => {
      const names = serviceDatabases.map(
        (database) => database.database + (databases?.suffix ?? ''),
      );
      const result = await queryAs(own().adminUrl, publicDatabaseGrantsQuery, [names]);

      expect(result.rows).toEqual([]);
    });

    it('keeps the migration history from the runtime role', async () => {
      const read = queryAs(own().runtimeUrl, `SELECT * FROM ${model.schema}.schema_migrations`);

      await expect(read).rejects.toMatchObject(insufficientPrivilege);
    });

    describe.each(connectingRoles(service))('as %s', (role) => {
      const url = () => urlOf(own(), role);

      it.each([
        ['a table in its schema', `CREATE TABLE ${model.schema}.grant_probe (id int)`],
        ['a table in public', 'CREATE TABLE public.grant_probe (id int)'],
        ['a schema', 'CREATE SCHEMA grant_probe'],
        ['a temporary table', 'CREATE TEMP TABLE grant_probe (id int)'],
      ])('cannot create %s', async (_object, statement) => {
        await expect(queryAs(url(), statement)).rejects.toMatchObject(insufficientPrivilege);
      });

      it('cannot connect to any other footfall database', async () => {
        for (const other of otherDatabases(service, role)) {
          const otherUrl = replaceUrlDatabase(url(), other + (databases?.suffix ?? ''));

          await expect(queryAs(otherUrl, 'SELECT 1')).rejects.toMatchObject(insufficientPrivilege);
        }
      });
    });
  });
}

// Any row is a problem: an attribute that bypasses privileges, or a membership through which the
// role could use someone else's.
const rolePowersQuery = `
  SELECT rolname, 'attribute' AS kind FROM pg_roles
  WHERE rolname = ANY($1::text[])
    AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)
  UNION ALL
  SELECT m.rolname, 'member of ' || g.rolname FROM pg_auth_members am
  JOIN pg_roles m ON m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid
  WHERE m.rolname = ANY($1::text[])`;

const publicDatabaseGrantsQuery = `
  SELECT datname, privilege FROM pg_database
  CROSS JOIN unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS privilege
  WHERE datname = ANY($1::text[]) AND has_database_privilege('public', datname, privilege)`;

function connectingRoles(service: ServiceName): string[] {
  const model = databaseFor(service);

  return [model.runtimeRole, ...model.readOnlyRoles];
}

function urlOf(
  database: { runtimeUrl: string; readerUrls: Readonly<Record<string, string>> },
  role: string,
) {
  return database.readerUrls[role] ?? database.runtimeUrl;
}

// Every footfall database this role has no business in: all but the one it was granted.
function otherDatabases(service: ServiceName, role: string): string[] {
  const own = databaseFor(service);

  return serviceDatabases
    .filter((database) => database !== own && !rolesOf(database).includes(role))
    .map((database) => database.database);
}
