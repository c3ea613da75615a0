import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  bootstrapDatabases,
  messagingDatabase,
  migrationsDirectory,
  replaceUrlCredentials,
  replaceUrlDatabase,
  runMigrations,
  type ServiceName,
  serviceDatabases,
} from '@footfall/db';
import { escapeIdentifier } from 'pg';
import { inject } from 'vitest';
import type { TestPostgres } from './provided-context.ts';
import { withClient } from './with-client.ts';

/** One service's database as a test suite sees it: its real name and a URL per role. */
export interface TestServiceDatabase {
  readonly service: ServiceName;
  /** The suffixed name actually created, e.g. `footfall_auth_t1a2b3c4`. */
  readonly database: string;
  readonly schema: string;
  /** The admin, connected to this database; for catalog checks and test fixtures. */
  readonly adminUrl: string;
  readonly ownerUrl: string;
  readonly runtimeUrl: string;
  /** Keyed by read-only role name. */
  readonly readerUrls: Readonly<Record<string, string>>;
}

/** The broker's messaging database as a test suite sees it (see libs/messaging/migrations). */
export interface TestMessagingDatabase {
  readonly database: string;
  readonly schema: string;
  readonly adminUrl: string;
  readonly ownerUrl: string;
  /** Keyed by runtime role name: each service's URL on the messaging database. */
  readonly clientUrls: Readonly<Record<string, string>>;
}

export interface TestDatabases {
  /** The admin, connected to the server's maintenance database. */
  readonly adminUrl: string;
  /** Appended to every database name of this suite. */
  readonly suffix: string;
  readonly services: Readonly<Record<ServiceName, TestServiceDatabase>>;
  readonly messaging: TestMessagingDatabase;
  /** Drops this suite's databases, closing any connection still open to them. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply every service's migrations, and the broker's, as their owner roles. @default true */
  readonly migrate?: boolean;
}

const repositoryRoot = resolve(import.meta.dirname, '../../..');

/**
 * Bootstraps all five service databases and the messaging database under a fresh random
 * suffix, so suites never share data, and (by default) migrates each as its owner.
 * Register `afterAll(databases.drop)`.
 *
 * @example
 * const databases = await createTestDatabases();
 * afterAll(databases.drop);
 * await queryAs(databases.services.auth.runtimeUrl, 'SELECT 1');
 */
export async function createTestDatabases(
  options: TestDatabaseOptions = {},
): Promise<TestDatabases> {
  const suffix = `_t${randomBytes(4).toString('hex')}`;

  return setUpTestDatabases(inject('footfallPostgres'), suffix, options);
}

/**
 * createTestDatabases() with the suffix chosen by the caller. Whatever fails, bootstrap
 * included, drops every database made so far before rethrowing, so a failed suite leaves none.
 */
export async function setUpTestDatabases(
  server: TestPostgres,
  suffix: string,
  options: TestDatabaseOptions = {},
): Promise<TestDatabases> {
  const drop = () => dropSuffixedDatabases(server.adminUrl, suffix);

  try {
    return await bootstrapAndMigrate(server, suffix, options, drop);
  } catch (error) {
    await drop();
    throw error;
  }
}

async function bootstrapAndMigrate(
  server: TestPostgres,
  suffix: string,
  options: TestDatabaseOptions,
  drop: () => Promise<void>,
): Promise<TestDatabases> {
  await bootstrapDatabases({ ...server, databaseSuffix: suffix });
  const services = describeServices(server, suffix);
  const messaging = describeMessaging(server, suffix);

  if (options.migrate !== false) {
    await migrateAll(Object.values(services), messaging);
  }

  return { adminUrl: server.adminUrl, suffix, services, messaging, drop };
}

/** Where the messaging database's migration files live (the postgres transport's broker). */
export const messagingMigrationsDirectory = resolve(repositoryRoot, 'libs/messaging/migrations');

/**
 * Drops every footfall database ending in `suffix` (after terminating its connections); for
 * tests that call bootstrapDatabases themselves.
 */
export async function dropSuffixedDatabases(adminUrl: string, suffix: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    for (const database of [...serviceDatabases, messagingDatabase]) {
      const name = escapeIdentifier(database.database + suffix);
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
}

function describeServices(
  server: TestPostgres,
  suffix: string,
): Record<ServiceName, TestServiceDatabase> {
  const entries = serviceDatabases.map((database) => {
    const name = database.database + suffix;
    const urlFor = (role: string) => roleUrl(server, name, role);
    const described: TestServiceDatabase = {
      service: database.service,
      database: name,
      schema: database.schema,
      adminUrl: replaceUrlDatabase(server.adminUrl, name),
      ownerUrl: urlFor(database.ownerRole),
      runtimeUrl: urlFor(database.runtimeRole),
      readerUrls: Object.fromEntries(database.readOnlyRoles.map((role) => [role, urlFor(role)])),
    };

    return [database.service, described] as const;
  });

  // fromEntries cannot know the keys are exactly the service names; serviceDatabases has one
  // entry per service, so they are.
  return Object.fromEntries(entries) as Record<ServiceName, TestServiceDatabase>;
}

function describeMessaging(server: TestPostgres, suffix: string): TestMessagingDatabase {
  const name = messagingDatabase.database + suffix;
  const urlFor = (role: string) => roleUrl(server, name, role);

  return {
    database: name,
    schema: messagingDatabase.schema,
    adminUrl: replaceUrlDatabase(server.adminUrl, name),
    ownerUrl: urlFor(messagingDatabase.ownerRole),
    clientUrls: Object.fromEntries(messagingDatabase.clientRoles.map((r) => [r, urlFor(r)])),
  };
}

function roleUrl(server: TestPostgres, database: string, role: string): string {
  const url = replaceUrlDatabase(server.adminUrl, database);

  return replaceUrlCredentials(url, { user: role, password: server.passwords[role] ?? '' });
}

async function migrateAll(
  databases: readonly TestServiceDatabase[],
  messaging: TestMessagingDatabase,
): Promise<void> {
  for (const database of databases) {
    await runMigrations({
      connectionString: database.ownerUrl,
      schema: database.schema,
      directory: migrationsDirectory(database.service),
    });
  }

  await runMigrations({
    connectionString: messaging.ownerUrl,
    schema: messaging.schema,
    directory: messagingMigrationsDirectory,
  });
}

export { migrateAll };
