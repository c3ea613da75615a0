import type pg from 'pg';
import type { ExpectedPrivileges, RolePrivileges } from './expected-privileges.ts';
import {
  type CatalogPrivilege,
  defaultPrivilegesName,
  readCatalogPrivileges,
  readRoleAttributes,
} from './privilege-catalog.ts';
import type { ServiceDatabase } from './role-model.ts';

/** One difference between what the catalog grants and what the service declares. */
export interface PrivilegeViolation {
  readonly role: string;
  /**
   * For example `table serving.visits`, `schema serving`, `role footfall_auth_app`, or
   * `default privileges on tables created by footfall_serving_owner in serving`.
   */
  readonly object: string;
  readonly privilege: string;
  /** `undeclared`: held but not declared (a widening); `missing`: declared but not held. */
  readonly problem: 'undeclared' | 'missing';
}

/**
 * Compares the effective privileges of a database's runtime role, its read-only roles and PUBLIC
 * with the service's declaration, and returns every difference (an empty list when they match).
 * Beyond the declaration, the baseline is fixed: CONNECT on the database and USAGE on the
 * service schema for each role, nothing for PUBLIC, and no role attributes or memberships.
 * Default privileges count as grants: the only ones expected are those that give a role its
 * `allTables` on the tables the owner creates later.
 *
 * `client` must be connected to the service database as a role that can see every object,
 * usually the admin.
 */
export async function findPrivilegeViolations(
  client: pg.ClientBase,
  database: ServiceDatabase,
  expected: ExpectedPrivileges,
): Promise<PrivilegeViolation[]> {
  const roles = [database.runtimeRole, ...database.readOnlyRoles];
  assertDeclaredRolesExist(roles, database, expected);

  const catalog = await readCatalogPrivileges(client, [...roles, 'public']);
  const attributes = await readRoleAttributes(client, roles);

  const violations = [
    ...[...catalog, ...attributes].flatMap((row) => compareRow(row, database, expected)),
    ...roles.flatMap((role) => findUnknownObjects(role, expected[role] ?? {}, catalog)),
    ...roles.flatMap((role) => findMissingDefaults(role, database, expected[role], catalog)),
  ];

  return violations.sort((a, b) => compareText(describe(a), describe(b)));
}

function assertDeclaredRolesExist(
  roles: readonly string[],
  database: ServiceDatabase,
  expected: ExpectedPrivileges,
): void {
  const strangers = Object.keys(expected).filter((role) => !roles.includes(role));

  if (strangers.length > 0) {
    throw new TypeError(
      `privileges declared for ${strangers.join(', ')}, which are not runtime or read-only ` +
        `roles of ${database.database}`,
    );
  }
}

function compareRow(
  row: CatalogPrivilege,
  database: ServiceDatabase,
  expected: ExpectedPrivileges,
): PrivilegeViolation[] {
  const declared = isDeclared(row, database, expected[row.role]);

  if (row.held === declared) {
    return [];
  }

  const object = `${row.kind} ${row.name}`;

  return [
    {
      role: row.role,
      object,
      privilege: row.privilege,
      problem: declared ? 'missing' : 'undeclared',
    },
  ];
}

// PUBLIC and roles without a declaration hold nothing beyond the fixed baseline.
function isDeclared(
  row: CatalogPrivilege,
  database: ServiceDatabase,
  declared: RolePrivileges | undefined,
): boolean {
  if (row.role === 'public' || row.kind === 'role') {
    return false;
  }

  switch (row.kind) {
    case 'database':
      return row.privilege === 'CONNECT';
    case 'schema':
      return row.name === database.schema && row.privilege === 'USAGE';
    case 'table':
      return isTableDeclared(row, database, declared);
    case 'sequence':
      return includes(declared?.sequences?.[row.name], row.privilege);
    case 'function':
      return includes(declared?.functions?.[row.name], row.privilege);
    case 'default privileges':
      return (
        row.name === ownerTableDefaults(database) && includes(declared?.allTables, row.privilege)
      );
  }
}

// What bootstrap sets for a read-only role: SELECT on every table the owner adds to the schema.
function ownerTableDefaults(database: ServiceDatabase): string {
  return defaultPrivilegesName('tables', database.ownerRole, database.schema);
}

function isTableDeclared(
  row: CatalogPrivilege,
  database: ServiceDatabase,
  declared: RolePrivileges | undefined,
): boolean {
  const everyTable = row.schema === database.schema && includes(declared?.allTables, row.privilege);

  return everyTable || includes(declared?.tables?.[row.name], row.privilege);
}

// A declaration naming an object that does not exist is a typo or a forgotten migration; either
// way the service would lack a privilege it expects, so it is reported as missing.
function findUnknownObjects(
  role: string,
  declared: RolePrivileges,
  catalog: readonly CatalogPrivilege[],
): PrivilegeViolation[] {
  const groups = [
    ['table', declared.tables],
    ['sequence', declared.sequences],
    ['function', declared.functions],
  ] as const;

  return groups.flatMap(([kind, objects]) =>
    Object.entries<readonly string[]>(objects ?? {})
      .filter(([name]) => !catalog.some((row) => row.kind === kind && row.name === name))
      .flatMap(([name, privileges]) =>
        privileges.map((privilege) => ({
          role,
          object: `${kind} ${name}`,
          privilege,
          problem: 'missing' as const,
        })),
      ),
  );
}

// `allTables` promises the tables created later too; without the default privilege behind it,
// the next migration's table would be out of the role's reach.
function findMissingDefaults(
  role: string,
  database: ServiceDatabase,
  declared: RolePrivileges | undefined,
  catalog: readonly CatalogPrivilege[],
): PrivilegeViolation[] {
  const name = ownerTableDefaults(database);
  const held = (privilege: string) =>
    catalog.some(
      (row) =>
        row.role === role &&
        row.kind === 'default privileges' &&
        row.name === name &&
        row.privilege === privilege,
    );

  return (declared?.allTables ?? [])
    .filter((privilege) => !held(privilege))
    .map((privilege) => ({
      role,
      object: `default privileges ${name}`,
      privilege,
      problem: 'missing' as const,
    }));
}

function includes(privileges: readonly string[] | undefined, privilege: string): boolean {
  return privileges?.includes(privilege) ?? false;
}

// Code-point order, not locale order, so the list reads the same on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describe(violation: PrivilegeViolation): string {
  return `${violation.role} ${violation.object} ${violation.privilege}`;
}
