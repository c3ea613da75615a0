import { databaseFor, type ExpectedPrivileges, findPrivilegeViolations } from '@footfall/db';
import { createTestDatabases, queryAs, type TestDatabases, withClient } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each test widens (or declares) one thing in this suite's throwaway ingestion database, checks
// that the matrix notices, and undoes it. Role attributes and memberships are cluster-wide, so
// they are left alone here: other suites share the roles.
const ingestion = databaseFor('tracking-ingestion');
const app = ingestion.runtimeRole;
const nothingDeclared: ExpectedPrivileges = { [app]: {} };

describe('findPrivilegeViolations', () => {
  let databases: TestDatabases | undefined;
  const adminUrl = () => databases?.services['tracking-ingestion'].adminUrl ?? '';
  const ownerUrl = () => databases?.services['tracking-ingestion'].ownerUrl ?? '';
  const check = (expected: ExpectedPrivileges = nothingDeclared) =>
    withClient(adminUrl(), (client) => findPrivilegeViolations(client, ingestion, expected));

  // Applies `grant` as the admin, runs `body`, and always applies `revoke`.
  const whileGranted = async (grant: string, revoke: string, body: () => Promise<void>) => {
    await queryAs(adminUrl(), grant);
    try {
      await body();
    } finally {
      await queryAs(adminUrl(), revoke);
    }
  };

  beforeAll(async () => {
    databases = await createTestDatabases();
  });

  afterAll(async () => {
    await databases?.drop();
  });

  it('finds nothing in a freshly bootstrapped and migrated database', async () => {
    expect(await check()).toEqual([]);
  });

  it('reports CREATE on the service schema granted to the runtime role', async () => {
    await whileGranted(
      `GRANT CREATE ON SCHEMA ingestion TO ${app}`,
      `REVOKE CREATE ON SCHEMA ingestion FROM ${app}`,
      async () => {
        expect(await check()).toEqual([
          { role: app, object: 'schema ingestion', privilege: 'CREATE', problem: 'undeclared' },
        ]);
      },
    );
  });

  it('reports SELECT on the migration history granted to the runtime role', async () => {
    await whileGranted(
      `GRANT SELECT ON ingestion.schema_migrations TO ${app}`,
      `REVOKE SELECT ON ingestion.schema_migrations FROM ${app}`,
      async () => {
        expect(await check()).toContainEqual({
          role: app,
          object: 'table ingestion.schema_migrations',
          privilege: 'SELECT',
          problem: 'undeclared',
        });
      },
    );
  });

  it('reports a single-column grant as the table privilege', async () => {
    await whileGranted(
      `GRANT UPDATE (name) ON ingestion.schema_migrations TO ${app}`,
      `REVOKE UPDATE (name) ON ingestion.schema_migrations FROM ${app}`,
      async () => {
        expect(await check()).toContainEqual(
          expect.objectContaining({ role: app, privilege: 'UPDATE', problem: 'undeclared' }),
        );
      },
    );
  });

  it('reports TEMPORARY on the database', async () => {
    const database = databases?.services['tracking-ingestion'].database ?? '';

    await whileGranted(
      `GRANT TEMPORARY ON DATABASE ${database} TO ${app}`,
      `REVOKE TEMPORARY ON DATABASE ${database} FROM ${app}`,
      async () => {
        expect(await check()).toContainEqual(
          expect.objectContaining({ role: app, privilege: 'TEMPORARY', problem: 'undeclared' }),
        );
      },
    );
  });

  it('reports a grant to PUBLIC, both for PUBLIC and for every role it reaches', async () => {
    await whileGranted(
      'GRANT USAGE ON SCHEMA public TO PUBLIC',
      'REVOKE USAGE ON SCHEMA public FROM PUBLIC',
      async () => {
        const violations = await check();

        expect(violations).toContainEqual(
          expect.objectContaining({ role: 'public', object: 'schema public', privilege: 'USAGE' }),
        );
        expect(violations).toContainEqual(
          expect.objectContaining({ role: app, object: 'schema public', privilege: 'USAGE' }),
        );
      },
    );
  });

  it('reports grants on a table added later, until they are declared', async () => {
    await queryAs(ownerUrl(), 'CREATE TABLE ingestion.matrix_probe (id int)');
    await queryAs(ownerUrl(), `GRANT SELECT, INSERT ON ingestion.matrix_probe TO ${app}`);
    const declared = { [app]: { tables: { 'ingestion.matrix_probe': ['SELECT', 'INSERT'] } } };

    try {
      expect(await check()).toEqual([
        {
          role: app,
          object: 'table ingestion.matrix_probe',
          privilege: 'INSERT',
          problem: 'undeclared',
        },
        {
          role: app,
          object: 'table ingestion.matrix_probe',
          privilege: 'SELECT',
          problem: 'undeclared',
        },
      ]);
      expect(await check(declared as ExpectedPrivileges)).toEqual([]);
    } finally {
      await queryAs(ownerUrl(), 'DROP TABLE ingestion.matrix_probe');
    }
  });

  it('reports declared privileges that are not granted, or name no table', async () => {
    const declared: ExpectedPrivileges = {
      [app]: {
        tables: { 'ingestion.schema_migrations': ['SELECT'], 'ingestion.nowhere': ['DELETE'] },
      },
    };

    expect(await check(declared)).toEqual([
      { role: app, object: 'table ingestion.nowhere', privilege: 'DELETE', problem: 'missing' },
      {
        role: app,
        object: 'table ingestion.schema_migrations',
        privilege: 'SELECT',
        problem: 'missing',
      },
    ]);
  });

  it('reports USAGE on a sequence', async () => {
    await queryAs(ownerUrl(), 'CREATE SEQUENCE ingestion.matrix_seq');

    try {
      await queryAs(ownerUrl(), `GRANT USAGE ON SEQUENCE ingestion.matrix_seq TO ${app}`);

      expect(await check()).toEqual([
        {
          role: app,
          object: 'sequence ingestion.matrix_seq',
          privilege: 'USAGE',
          problem: 'undeclared',
        },
      ]);
    } finally {
      await queryAs(ownerUrl(), 'DROP SEQUENCE ingestion.matrix_seq');
    }
  });

  it('reports EXECUTE on a function that escaped the owner default privileges', async () => {
    const body = 'RETURNS int LANGUAGE sql AS $$ SELECT 1 $$';
    await queryAs(ownerUrl(), `CREATE FUNCTION ingestion.owned_probe(a int) ${body}`);
    // Created by the admin, so the owner's default privileges do not apply to it.
    await queryAs(adminUrl(), `CREATE FUNCTION ingestion.foreign_probe(a text) ${body}`);

    try {
      const violations = await check();

      expect(violations).toEqual([
        {
          role: app,
          object: 'function ingestion.foreign_probe(a text)',
          privilege: 'EXECUTE',
          problem: 'undeclared',
        },
        {
          role: 'public',
          object: 'function ingestion.foreign_probe(a text)',
          privilege: 'EXECUTE',
          problem: 'undeclared',
        },
      ]);
    } finally {
      await queryAs(adminUrl(), 'DROP FUNCTION ingestion.owned_probe, ingestion.foreign_probe');
    }
  });

  it('names a function by its whole signature, however long', async () => {
    const body = 'RETURNS int LANGUAGE sql AS $$ SELECT 1 $$';
    const parameters = 'first_argument text, second_argument text, third_argument integer';
    await queryAs(adminUrl(), `CREATE FUNCTION ingestion.long_probe(${parameters}) ${body}`);

    try {
      const objects = (await check()).map((violation) => violation.object);

      expect(objects).toContain(`function ingestion.long_probe(${parameters})`);
    } finally {
      await queryAs(adminUrl(), 'DROP FUNCTION ingestion.long_probe');
    }
  });

  it('reports default privileges that would widen the runtime role on tables not yet created', async () => {
    const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${ingestion.ownerRole} IN SCHEMA ingestion`;

    await whileGranted(
      `${defaults} GRANT SELECT, DELETE ON TABLES TO ${app}`,
      `${defaults} REVOKE SELECT, DELETE ON TABLES FROM ${app}`,
      async () => {
        const object = `default privileges on tables created by ${ingestion.ownerRole} in ingestion`;

        expect(await check()).toEqual([
          { role: app, object, privilege: 'DELETE', problem: 'undeclared' },
          { role: app, object, privilege: 'SELECT', problem: 'undeclared' },
        ]);
      },
    );
  });

  it('reports default privileges for PUBLIC in every schema, for PUBLIC and every role', async () => {
    const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${ingestion.ownerRole}`;

    await whileGranted(
      `${defaults} GRANT EXECUTE ON FUNCTIONS TO PUBLIC`,
      `${defaults} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
      async () => {
        const object = `default privileges on functions created by ${ingestion.ownerRole} in any schema`;

        expect(await check()).toEqual([
          { role: app, object, privilege: 'EXECUTE', problem: 'undeclared' },
          { role: 'public', object, privilege: 'EXECUTE', problem: 'undeclared' },
        ]);
      },
    );
  });

  it('reports a reader whose SELECT on tables created later is gone', async () => {
    const serving = databaseFor('tracking-computation');
    const servingAdminUrl = databases?.services['tracking-computation'].adminUrl ?? '';
    const reader = 'footfall_dashboard_reader';
    const declared: ExpectedPrivileges = { [reader]: { allTables: ['SELECT'] } };
    const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${serving.ownerRole} IN SCHEMA serving`;
    const checkServing = () =>
      withClient(servingAdminUrl, (client) => findPrivilegeViolations(client, serving, declared));

    expect(await checkServing()).toEqual([]);
    await queryAs(servingAdminUrl, `${defaults} REVOKE SELECT ON TABLES FROM ${reader}`);
    try {
      expect(await checkServing()).toEqual([
        {
          role: reader,
          object: `default privileges on tables created by ${serving.ownerRole} in serving`,
          privilege: 'SELECT',
          problem: 'missing',
        },
      ]);
    } finally {
      await queryAs(servingAdminUrl, `${defaults} GRANT SELECT ON TABLES TO ${reader}`);
    }
  });

  it('refuses a declaration for a role that does not belong to the database', async () => {
    const declared: ExpectedPrivileges = { footfall_auth_app: {} };

    await expect(check(declared)).rejects.toBeInstanceOf(TypeError);
  });
});
