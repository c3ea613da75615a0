import pg from 'pg';
import { withAdvisoryLock } from './advisory-lock.ts';
import {
  configureDatabase,
  type DatabaseAccess,
  ensureDatabase,
  messagingAccess,
  serviceAccess,
} from './bootstrap-database.ts';
import { ensureRole } from './bootstrap-roles.ts';
import { replaceUrlDatabase } from './connection-url.ts';
import { type DbLogger, silentLogger } from './db-logger.ts';
import {
  closeMaintenanceDatabases,
  listOpenMaintenanceDatabases,
} from './maintenance-databases.ts';
import { listRoles, messagingDatabase, serviceDatabases } from './role-model.ts';
import { assertRolePasswords, type RolePasswords } from './role-passwords.ts';

export interface BootstrapOptions {
  /** A role allowed to create roles and databases (a superuser, or CREATEROLE plus CREATEDB). */
  readonly adminUrl: string;
  /** A password for every platform role; see listRoles(). */
  readonly passwords: RolePasswords;
  /**
   * Appended to every database name, so tests (or two installs sharing a server) get their own
   * databases. Role names are never suffixed: roles are cluster-wide.
   * @default ''
   */
  readonly databaseSuffix?: string;
  /**
   * Also revoke PUBLIC's CONNECT and TEMPORARY on the `postgres` and `template1` maintenance
   * databases. Only for a cluster that belongs to the platform (the embedded one of `pnpm start`
   * and the tests), with a superuser admin; on a shared server other roles may rely on them.
   * @default false
   */
  readonly closeMaintenanceDatabases?: boolean;
  readonly logger?: DbLogger;
}

export interface BootstrapResult {
  readonly createdRoles: readonly string[];
  /** Full names, suffix included. */
  readonly createdDatabases: readonly string[];
  /**
   * Maintenance databases every role may still connect to or create TEMP tables in, when
   * bootstrap was not asked to close them; a caller on a shared server can warn about them.
   */
  readonly openMaintenanceDatabases: readonly string[];
}

const bootstrapLock = 'footfall:bootstrap';

/**
 * Creates or converges every role and database of the platform: roles with login and nothing
 * else, one database per service plus the broker's messaging database, each owned by its owner
 * role, its schema, CONNECT and USAGE for the roles that need them, and default privileges for
 * read-only roles. Safe to run again and to run
 * concurrently (runs take turns on an advisory lock). Throws DB_BOOTSTRAP_PASSWORDS_INVALID
 * before touching anything if a password is missing or unusable.
 */
export async function bootstrapDatabases(options: BootstrapOptions): Promise<BootstrapResult> {
  const suffix = options.databaseSuffix ?? '';
  const logger = options.logger ?? silentLogger;
  assertDatabaseSuffix(suffix);
  assertRolePasswords(options.passwords);

  const admin = new pg.Client({
    connectionString: options.adminUrl,
    application_name: 'footfall-bootstrap',
  });
  await admin.connect();

  try {
    return await withAdvisoryLock(admin, bootstrapLock, () =>
      bootstrapWithLock(admin, { ...options, databaseSuffix: suffix, logger }),
    );
  } finally {
    await admin.end();
  }
}

async function bootstrapWithLock(
  admin: pg.ClientBase,
  options: BootstrapOptions & { readonly databaseSuffix: string; readonly logger: DbLogger },
): Promise<BootstrapResult> {
  const { logger } = options;
  logger.info({ databaseSuffix: options.databaseSuffix }, 'bootstrap started');

  const createdRoles = await ensureRoles(admin, options.passwords, logger);

  const createdDatabases: string[] = [];
  for (const [database, access] of listDatabases()) {
    const name = database + options.databaseSuffix;
    if (await ensureDatabase(admin, access, name)) {
      createdDatabases.push(name);
    }

    await configureInside(options.adminUrl, access, name);
    logger.info({ database: name, schema: access.schema }, 'database ready');
  }

  if (options.closeMaintenanceDatabases === true) {
    await closeMaintenanceDatabases(admin);
  }

  const openMaintenanceDatabases = await listOpenMaintenanceDatabases(admin);
  logger.info({ createdRoles, createdDatabases, openMaintenanceDatabases }, 'bootstrap finished');

  return { createdRoles, createdDatabases, openMaintenanceDatabases };
}

async function ensureRoles(
  admin: pg.ClientBase,
  passwords: RolePasswords,
  logger: DbLogger,
): Promise<string[]> {
  const created: string[] = [];

  for (const role of listRoles()) {
    // assertRolePasswords has already checked that every role has one.
    if (await ensureRole(admin, role, passwords[role] ?? '')) {
      created.push(role);
    }

    logger.info({ role }, 'role ready');
  }

  return created;
}

// The service databases in model order, then the broker's.
function listDatabases(): [string, DatabaseAccess][] {
  return [
    ...serviceDatabases.map((d): [string, DatabaseAccess] => [d.database, serviceAccess(d)]),
    [messagingDatabase.database, messagingAccess(messagingDatabase)],
  ];
}

async function configureInside(adminUrl: string, database: DatabaseAccess, name: string) {
  const client = new pg.Client({
    connectionString: replaceUrlDatabase(adminUrl, name),
    application_name: 'footfall-bootstrap',
  });
  await client.connect();

  try {
    await configureDatabase(client, database, name);
  } finally {
    await client.end();
  }
}

// Database names end up in identifiers and in 63-byte limits; a suffix is a programming choice,
// not outside input, so a bad one is a TypeError.
function assertDatabaseSuffix(suffix: string): void {
  const longest = Math.max(...listDatabases().map(([database]) => database.length));

  if (!/^[a-z0-9_]*$/.test(suffix) || longest + suffix.length > 63) {
    const limit = 63 - longest;
    throw new TypeError(`databaseSuffix must be up to ${limit} of [a-z0-9_], got ${suffix}`);
  }
}
