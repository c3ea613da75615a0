import { randomBytes } from 'node:crypto';
import {
  bootstrapDatabases,
  buildConnectionUrl,
  DbError,
  listRoles,
  messagingDatabase,
  replaceUrlCredentials,
  replaceUrlDatabase,
  rolesOf,
  serviceDatabases,
} from '@footfall/db';
import {
  dropSuffixedDatabases,
  type EmbeddedPostgresServer,
  queryAs,
  startEmbeddedPostgres,
} from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const server = inject('footfallPostgres');
const suffixes: string[] = [];

// A fresh suffix per test, so each one bootstraps databases nobody else has touched.
function freshSuffix(): string {
  const suffix = `_b${randomBytes(4).toString('hex')}`;
  suffixes.push(suffix);

  return suffix;
}

function bootstrap(databaseSuffix: string) {
  return bootstrapDatabases({
    adminUrl: server.adminUrl,
    passwords: server.passwords,
    databaseSuffix,
  });
}

function roleUrl(database: string, role: string, password = server.passwords[role] ?? ''): string {
  return roleUrlOn(server.adminUrl, database, role, password);
}

function roleUrlOn(adminUrl: string, database: string, role: string, password = ''): string {
  return replaceUrlCredentials(replaceUrlDatabase(adminUrl, database), { user: role, password });
}

function allDatabaseNames(suffix: string): string[] {
  return [...serviceDatabases, messagingDatabase].map((database) => database.database + suffix);
}

afterAll(async () => {
  for (const suffix of suffixes) {
    await dropSuffixedDatabases(server.adminUrl, suffix);
  }
});

describe('bootstrapDatabases', () => {
  it('creates the six databases, and nothing more when run again', async () => {
    const suffix = freshSuffix();
    const expected = allDatabaseNames(suffix);

    const first = await bootstrap(suffix);
    const second = await bootstrap(suffix);

    expect(first.createdDatabases).toEqual(expected);
    expect(second).toMatchObject({ createdRoles: [], createdDatabases: [] });
  });

  it('lets two concurrent runs finish, creating each database once', async () => {
    const suffix = freshSuffix();

    const runs = await Promise.all([bootstrap(suffix), bootstrap(suffix)]);

    const created = runs.flatMap((run) => run.createdDatabases).sort();
    expect(created).toEqual(allDatabaseNames(suffix).sort());
  });

  it('makes each database and schema owned by the owner role, closed to PUBLIC', async () => {
    const suffix = freshSuffix();
    await bootstrap(suffix);

    for (const database of [...serviceDatabases, messagingDatabase]) {
      const result = await queryAs(
        replaceUrlDatabase(server.adminUrl, database.database + suffix),
        `
        SELECT pg_get_userbyid(d.datdba) AS database_owner,
          pg_get_userbyid(n.nspowner) AS schema_owner,
          has_database_privilege('public', d.datname, 'CONNECT') AS public_connect
        FROM pg_database d, pg_namespace n
        WHERE d.datname = current_database() AND n.nspname = $1`,
        [database.schema],
      );

      expect(result.rows).toEqual([
        {
          database_owner: database.ownerRole,
          schema_owner: database.ownerRole,
          public_connect: false,
        },
      ]);
    }
  });

  it('stores SCRAM verifiers with which every role logs in to its database', async () => {
    const suffix = freshSuffix();
    await bootstrap(suffix);

    const stored = await queryAs(
      server.adminUrl,
      'SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)',
      [listRoles()],
    );
    for (const row of stored.rows) {
      expect(row.rolpassword).toMatch(
        /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/,
      );
    }

    for (const database of serviceDatabases) {
      for (const role of rolesOf(database)) {
        const result = await queryAs(
          roleUrl(database.database + suffix, role),
          'SELECT current_user, current_schema',
        );

        expect(result.rows).toEqual([{ current_user: role, current_schema: database.schema }]);
      }
    }
  });

  it('lets every runtime role, and only those, into the messaging database', async () => {
    const suffix = freshSuffix();
    await bootstrap(suffix);
    const name = messagingDatabase.database + suffix;

    for (const role of messagingDatabase.clientRoles) {
      const result = await queryAs(roleUrl(name, role), 'SELECT current_schema');

      expect(result.rows).toEqual([{ current_schema: 'messaging' }]);
    }
    for (const role of ['footfall_dashboard_reader', 'footfall_auth_owner']) {
      await expect(queryAs(roleUrl(name, role), 'SELECT 1')).rejects.toMatchObject({
        code: '42501',
      });
    }
  });

  it('refuses a wrong password (SQLSTATE 28P01)', async () => {
    const suffix = freshSuffix();
    await bootstrap(suffix);
    const url = roleUrl(`footfall_auth${suffix}`, 'footfall_auth_app', 'not-the-password-at-all');

    await expect(queryAs(url, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  });

  it('refuses missing, short or non-ASCII passwords before changing anything', async () => {
    const passwords: Record<string, string> = {
      ...server.passwords,
      footfall_auth_app: 'short',
      footfall_customer_app: 'é'.repeat(20),
    };
    delete passwords.footfall_ingestion_app;
    const suffix = freshSuffix();

    const run = bootstrapDatabases({
      adminUrl: server.adminUrl,
      passwords,
      databaseSuffix: suffix,
    });

    await expect(run).rejects.toBeInstanceOf(DbError);
    await expect(run).rejects.toMatchObject({ code: 'DB_BOOTSTRAP_PASSWORDS_INVALID' });
    const created = await queryAs(
      server.adminUrl,
      'SELECT 1 FROM pg_database WHERE datname LIKE $1',
      [`%${suffix}`],
    );
    expect(created.rowCount).toBe(0);
  });

  it('names every offending role, and no password', async () => {
    const passwords: Record<string, string> = { ...server.passwords, footfall_auth_app: 'short' };
    delete passwords.footfall_ingestion_app;

    const error = await bootstrapDatabases({ adminUrl: server.adminUrl, passwords }).catch(
      (e) => e,
    );

    expect(error.params.problems).toContain('footfall_ingestion_app');
    expect(error.params.problems).toContain('footfall_auth_app');
    expect(error.params.problems).not.toContain(server.passwords.footfall_customer_app);
  });

  it('rejects a database suffix that is not a plain identifier part', async () => {
    const run = bootstrapDatabases({ ...server, databaseSuffix: '"; DROP DATABASE x; --' });

    await expect(run).rejects.toBeInstanceOf(TypeError);
  });

  it('builds URLs the server accepts for every role', async () => {
    const suffix = freshSuffix();
    await bootstrap(suffix);
    const admin = new URL(server.adminUrl);
    const url = buildConnectionUrl({
      host: admin.hostname,
      port: Number(admin.port),
      database: `footfall_serving${suffix}`,
      user: 'footfall_dashboard_reader',
      password: server.passwords.footfall_dashboard_reader ?? '',
    });

    const result = await queryAs(url, 'SELECT current_user');

    expect(result.rows).toEqual([{ current_user: 'footfall_dashboard_reader' }]);
  });
});

// Closing them changes the whole server, and the run's shared one has them closed from its start
// (libs/testing's global setup), so the option is tried on a server of its own.
describe('bootstrapDatabases with closeMaintenanceDatabases', () => {
  let own: EmbeddedPostgresServer | undefined;
  const adminUrl = () => own?.adminUrl ?? '';
  const probeRoles = ['footfall_ingestion_app', 'footfall_dashboard_reader'];
  const asRole = (database: string, role: string) =>
    queryAs(roleUrlOn(adminUrl(), database, role, server.passwords[role]), 'SELECT 1');

  beforeAll(async () => {
    own = await startEmbeddedPostgres();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('closes postgres and template1 to every platform role; the admin keeps them', async () => {
    const options = { adminUrl: adminUrl(), passwords: server.passwords };

    const before = await bootstrapDatabases(options);
    expect(before.openMaintenanceDatabases).toEqual(['postgres', 'template1']);
    for (const database of ['postgres', 'template1']) {
      for (const role of probeRoles) {
        expect((await asRole(database, role)).rowCount, `${role} on ${database}`).toBe(1);
      }
    }

    const after = await bootstrapDatabases({ ...options, closeMaintenanceDatabases: true });
    expect(after.openMaintenanceDatabases).toEqual([]);
    for (const database of ['postgres', 'template1']) {
      const admin = await queryAs(replaceUrlDatabase(adminUrl(), database), 'SELECT 1');
      expect(admin.rowCount).toBe(1);
      for (const role of probeRoles) {
        await expect(asRole(database, role)).rejects.toMatchObject({ code: '42501' });
      }
    }
  });
});
