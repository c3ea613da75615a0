import type pg from 'pg';
import { escapeIdentifier as id } from 'pg';
import type { MessagingDatabase, ServiceDatabase } from './role-model.ts';

/** What bootstrap needs to know of a database, whether a service's or the broker's. */
export interface DatabaseAccess {
  readonly schema: string;
  readonly ownerRole: string;
  /** Roles given CONNECT on the database and USAGE on its schema, and nothing more. */
  readonly connectingRoles: readonly string[];
  /** Roles that may SELECT every table of the schema, present and future. */
  readonly readOnlyRoles: readonly string[];
}

/** A service's runtime and read-only roles connect to its database. */
export function serviceAccess(database: ServiceDatabase): DatabaseAccess {
  const { schema, ownerRole, runtimeRole, readOnlyRoles } = database;

  return { schema, ownerRole, connectingRoles: [runtimeRole, ...readOnlyRoles], readOnlyRoles };
}

/** Every runtime role connects to the broker's database; none reads its tables. */
export function messagingAccess(database: MessagingDatabase): DatabaseAccess {
  const { schema, ownerRole, clientRoles } = database;

  return { schema, ownerRole, connectingRoles: clientRoles, readOnlyRoles: [] };
}

/**
 * Creates the database if it is missing, owned by its owner role, and leaves CONNECT to the
 * connecting roles only. Runs on the admin connection (CREATE DATABASE cannot
 * run inside a transaction, so these are separate statements). Returns whether it was created.
 */
export async function ensureDatabase(
  client: pg.ClientBase,
  database: DatabaseAccess,
  name: string,
): Promise<boolean> {
  const found = await client.query<{ owner: string }>(
    'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
    [name],
  );
  const created = found.rows.length === 0;

  // template0 because template1 may carry objects someone added, and because copying template1
  // fails while anyone is connected to it. A new database takes no connection until PUBLIC's
  // default CONNECT is revoked: otherwise any role could enter it for that moment.
  if (created) {
    const owner = id(database.ownerRole);
    await client.query(
      `CREATE DATABASE ${id(name)} OWNER ${owner} TEMPLATE template0 ENCODING 'UTF8'
       ALLOW_CONNECTIONS false`,
    );
  } else if (found.rows[0]?.owner !== database.ownerRole) {
    await client.query(`ALTER DATABASE ${id(name)} OWNER TO ${id(database.ownerRole)}`);
  }

  await client.query(`REVOKE ALL ON DATABASE ${id(name)} FROM PUBLIC`);
  await client.query(
    `GRANT CONNECT ON DATABASE ${id(name)} TO ${listIds(database.connectingRoles)}`,
  );
  if (created) await client.query(`ALTER DATABASE ${id(name)} ALLOW_CONNECTIONS true`);

  return created;
}

/**
 * Sets up the inside of a database, connected to it as the admin: the schema owned by the owner
 * role, USAGE for the roles that connect, no rights through PUBLIC, SELECT-only default
 * privileges for read-only roles, and each role's search_path. Table rights for the runtime role
 * are deliberately absent: they come only from explicit GRANTs in the database's migrations.
 */
export async function configureDatabase(
  client: pg.ClientBase,
  database: DatabaseAccess,
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

function schemaStatements(database: DatabaseAccess): string[] {
  const schema = id(database.schema);
  const owner = id(database.ownerRole);

  return [
    'REVOKE ALL ON SCHEMA public FROM PUBLIC',
    `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`,
    `ALTER SCHEMA ${schema} OWNER TO ${owner}`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${listIds(database.connectingRoles)}`,
    // Functions are executable by PUBLIC by default; a migration grants EXECUTE explicitly.
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
  ];
}

// A reader sees every table of the schema, present and future, and can change none of them.
function readerStatements(database: DatabaseAccess): string[] {
  const schema = id(database.schema);
  const owner = id(database.ownerRole);

  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema}`;

  return database.readOnlyRoles.flatMap((reader) => [
    `${defaults} GRANT SELECT ON TABLES TO ${id(reader)}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${id(reader)}`,
  ]);
}

// Every role resolves unqualified names in the database schema, and only there, in this database.
function searchPathStatements(database: DatabaseAccess, name: string): string[] {
  const roles = [database.ownerRole, ...database.connectingRoles];

  return roles.map(
    (role) =>
      `ALTER ROLE ${id(role)} IN DATABASE ${id(name)} SET search_path = ${id(database.schema)}`,
  );
}

function listIds(names: readonly string[]): string {
  return names.map((name) => id(name)).join(', ');
}
