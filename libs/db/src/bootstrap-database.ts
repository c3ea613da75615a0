import type pg from 'pg';
import { escapeIdentifier as id } from 'pg';
import type { ServiceDatabase } from './role-model.ts';

/**
 * Creates the database if it is missing, owned by the service's owner role, and leaves CONNECT
 * to the runtime and read-only roles only. Runs on the admin connection (CREATE DATABASE cannot
 * run inside a transaction, so these are separate statements). Returns whether it was created.
 */
export async function ensureDatabase(
  client: pg.ClientBase,
  database: ServiceDatabase,
  name: string,
): Promise<boolean> {
  const found = await client.query<{ owner: string }>(
    'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
    [name],
  );
  const created = found.rows.length === 0;

  // template0 because template1 may carry objects someone added, and because copying template1
  // fails while anyone is connected to it.
  if (created) {
    const owner = id(database.ownerRole);
    await client.query(
      `CREATE DATABASE ${id(name)} OWNER ${owner} TEMPLATE template0 ENCODING 'UTF8'`,
    );
  } else if (found.rows[0]?.owner !== database.ownerRole) {
    await client.query(`ALTER DATABASE ${id(name)} OWNER TO ${id(database.ownerRole)}`);
  }

  await client.query(`REVOKE ALL ON DATABASE ${id(name)} FROM PUBLIC`);
  await client.query(
    `GRANT CONNECT ON DATABASE ${id(name)} TO ${listIds(connectingRoles(database))}`,
  );

  return created;
}

/**
 * Sets up the inside of a service database, connected to it as the admin: the schema owned by
 * the owner role, USAGE for the roles that connect, no rights through PUBLIC, SELECT-only default
 * privileges for read-only roles, and each role's search_path. Table rights for the runtime role
 * are deliberately absent: they come only from explicit GRANTs in the service's migrations.
 */
export async function configureDatabase(
  client: pg.ClientBase,
  database: ServiceDatabase,
  name: string,
): Promise<void> {
  const statements = [
    ...schemaStatements(database),
    ...readerStatements(database),
    ...searchPathStatements(database, name),
  ];

  // One multi-statement query runs as one implicit transaction: all of it applies, or none.
  await client.query(statements.join(';\n'));
}

function schemaStatements(database: ServiceDatabase): string[] {
  const schema = id(database.schema);
  const owner = id(database.ownerRole);

  return [
    'REVOKE ALL ON SCHEMA public FROM PUBLIC',
    `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`,
    `ALTER SCHEMA ${schema} OWNER TO ${owner}`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${listIds(connectingRoles(database))}`,
    // Functions are executable by PUBLIC by default; a migration grants EXECUTE explicitly.
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
  ];
}

// A reader sees every table of the schema, present and future, and can change none of them.
function readerStatements(database: ServiceDatabase): string[] {
  const schema = id(database.schema);
  const owner = id(database.ownerRole);

  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema}`;

  return database.readOnlyRoles.flatMap((reader) => [
    `${defaults} GRANT SELECT ON TABLES TO ${id(reader)}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${id(reader)}`,
  ]);
}

// Every role resolves unqualified names in the service schema, and only there, in this database.
function searchPathStatements(database: ServiceDatabase, name: string): string[] {
  const roles = [database.ownerRole, ...connectingRoles(database)];

  return roles.map(
    (role) =>
      `ALTER ROLE ${id(role)} IN DATABASE ${id(name)} SET search_path = ${id(database.schema)}`,
  );
}

function connectingRoles(database: ServiceDatabase): string[] {
  return [database.runtimeRole, ...database.readOnlyRoles];
}

function listIds(names: readonly string[]): string {
  return names.map((name) => id(name)).join(', ');
}
