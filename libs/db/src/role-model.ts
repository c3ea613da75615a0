import { deepFreeze } from '@footfall/service-kit/deep-freeze';

/**
 * The platform's database topology as data: one database per service, one schema in it, an owner
 * role that runs migrations, a runtime role the service connects as, and optional read-only roles
 * for other services. Bootstrap, the migrate commands and the grant-matrix tests all read this
 * one table, so a role cannot exist in one place and be forgotten in another.
 */

export const serviceNames = [
  'tracking-ingestion',
  'tracking-computation',
  'customer',
  'auth',
  'dashboard',
] as const;

export type ServiceName = (typeof serviceNames)[number];

export interface ServiceDatabase {
  readonly service: ServiceName;
  /** Database name before any suffix (tests and parallel installs append one). */
  readonly database: string;
  /** The single schema that holds the service's objects. */
  readonly schema: string;
  /** Owns the database and schema; runs migrations; never used by the running service. */
  readonly ownerRole: string;
  /** What the running service connects as; table rights come only from migration GRANTs. */
  readonly runtimeRole: string;
  /** Roles of other services that may read every table of the schema, and nothing more. */
  readonly readOnlyRoles: readonly string[];
}

export const serviceDatabases: readonly ServiceDatabase[] = deepFreeze([
  describeDatabase('tracking-ingestion', 'ingestion', 'footfall_ingestion_app'),
  describeDatabase('tracking-computation', 'serving', 'footfall_computation_app', [
    'footfall_dashboard_reader',
  ]),
  describeDatabase('customer', 'customer', 'footfall_customer_app'),
  describeDatabase('auth', 'auth', 'footfall_auth_app'),
  describeDatabase('dashboard', 'dashboard', 'footfall_dashboard_app'),
]);

/**
 * The broker's database, used by the postgres transport: no service owns it, and it is the one
 * database every runtime role may connect to. Inside it a runtime role holds no table rights,
 * only EXECUTE on the broker's functions, which check a per-topic ACL against `session_user`.
 */
export interface MessagingDatabase {
  readonly database: string;
  readonly schema: string;
  /** Owns the database and schema; runs its migrations and provisions topics. */
  readonly ownerRole: string;
  /** The runtime role of every service, in the order of `serviceDatabases`. */
  readonly clientRoles: readonly string[];
}

export const messagingDatabase: MessagingDatabase = Object.freeze({
  database: 'footfall_messaging',
  schema: 'messaging',
  ownerRole: 'footfall_messaging_owner',
  clientRoles: Object.freeze(serviceDatabases.map((database) => database.runtimeRole)),
});

/** Every role of the platform, owners first within each database, without duplicates. */
export function listRoles(): string[] {
  const roles = serviceDatabases.flatMap((database) => rolesOf(database));

  return [...new Set([...roles, messagingDatabase.ownerRole])];
}

/** The owner, runtime and read-only roles of one database. */
export function rolesOf(database: ServiceDatabase): string[] {
  return [database.ownerRole, database.runtimeRole, ...database.readOnlyRoles];
}

/** The database description of a service; a TypeError for a name that is not a service. */
export function databaseFor(service: ServiceName): ServiceDatabase {
  const found = serviceDatabases.find((database) => database.service === service);

  if (found === undefined) {
    throw new TypeError(`unknown service ${String(service)}; expected one of ${serviceNames}`);
  }

  return found;
}

// Names follow one pattern (footfall_<schema>, footfall_<schema>_owner), so the table above only
// states what varies: the schema, the runtime role and the readers.
function describeDatabase(
  service: ServiceName,
  schema: string,
  runtimeRole: string,
  readOnlyRoles: readonly string[] = [],
): ServiceDatabase {
  return {
    service,
    database: `footfall_${schema}`,
    schema,
    ownerRole: `footfall_${schema}_owner`,
    runtimeRole,
    readOnlyRoles,
  };
}
