import type pg from 'pg';
import { functionPrivileges, sequencePrivileges, tablePrivileges } from './expected-privileges.ts';

export type CatalogObjectKind =
  | 'database'
  | 'schema'
  | 'table'
  | 'sequence'
  | 'function'
  | 'default privileges'
  | 'role';

/** Whether `role` holds `privilege` on one object, as the server decides it right now. */
export interface CatalogPrivilege {
  readonly role: string;
  readonly kind: CatalogObjectKind;
  /**
   * The object's schema; null for the database, schemas and roles, and for default privileges
   * that apply in every schema.
   */
  readonly schema: string | null;
  /**
   * Schema-qualified for tables, sequences and functions (with their arguments); for default
   * privileges, what they apply to, as defaultPrivilegesName() spells it.
   */
  readonly name: string;
  readonly privilege: string;
  readonly held: boolean;
}

// Every schema a migration could create objects in: all but the system ones. Enumerating them
// (rather than listing the service schema) is what makes an undeclared object visible.
const userSchemas = `
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'`;

/** What default privileges apply to, in the words of ALTER DEFAULT PRIVILEGES. */
type DefaultObjects = 'tables' | 'sequences' | 'functions' | 'types' | 'schemas' | 'large objects';

/** One privilege that default privileges give a role on objects `creator` makes later. */
interface DefaultPrivilegeRow {
  readonly role: string;
  /** Null when they apply in every schema. */
  readonly schema: string | null;
  readonly objects: DefaultObjects;
  readonly creator: string;
  readonly privilege: string;
}

// ALTER DEFAULT PRIVILEGES ... TO a role widens every object created later, so it is a grant
// like any other, reported before the first such object exists. Only what a default grants is
// listed; PUBLIC's entries reach every role. The parts come back as columns, and
// defaultPrivilegesName() alone makes a name of them.
const defaultPrivilegesQuery = `
  WITH grantee AS (SELECT unnest($1::text[]) AS role)
  SELECT DISTINCT g.role, n.nspname AS schema,
    CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
      WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas'
      ELSE 'large objects' END AS objects,
    pg_get_userbyid(d.defaclrole) AS creator, a.privilege_type AS privilege
  FROM grantee g
  CROSS JOIN pg_default_acl d
  CROSS JOIN LATERAL aclexplode(d.defaclacl) a
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  WHERE a.grantee = 0 OR a.grantee = to_regrole(g.role)
  UNION ALL
  -- Without an entry of its own, a role's new functions are executable by PUBLIC (PostgreSQL's
  -- built-in default, which no catalog row shows); bootstrap revokes it for the database owner.
  SELECT g.role, NULL, 'functions', pg_get_userbyid(db.datdba), 'EXECUTE'
  FROM grantee g CROSS JOIN pg_database db
  WHERE db.datname = current_database() AND NOT EXISTS (
    SELECT 1 FROM pg_default_acl d
    WHERE d.defaclrole = db.datdba AND d.defaclnamespace = 0 AND d.defaclobjtype = 'f')`;

// has_*_privilege answers for the effective rights: direct grants, grants to PUBLIC and grants
// inherited through role membership all count. SELECT, INSERT, UPDATE and REFERENCES also count
// when granted on a single column.
const privilegesQuery = `
  WITH grantee AS (SELECT unnest($1::text[]) AS role),
  user_schema AS (${userSchemas}),
  relation AS (
    SELECT c.oid, s.nspname, s.nspname || '.' || c.relname AS name, c.relkind = 'S' AS is_sequence
    FROM pg_class c JOIN user_schema s ON s.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  ),
  routine AS (
    SELECT p.oid, s.nspname, s.nspname || '.' || p.proname
      || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
    FROM pg_proc p JOIN user_schema s ON s.oid = p.pronamespace
  )
  SELECT g.role, 'database' AS kind, NULL AS schema, current_database()::text AS name, p.privilege,
    has_database_privilege(g.role, current_database(), p.privilege) AS held
  FROM grantee g CROSS JOIN unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS p(privilege)
  UNION ALL
  SELECT g.role, 'schema', NULL, s.nspname, p.privilege,
    has_schema_privilege(g.role, s.oid, p.privilege)
  FROM grantee g CROSS JOIN user_schema s
  CROSS JOIN unnest(ARRAY['USAGE', 'CREATE']) AS p(privilege)
  UNION ALL
  SELECT g.role, 'table', r.nspname, r.name, p.privilege,
    CASE WHEN p.privilege IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
      THEN has_any_column_privilege(g.role, r.oid, p.privilege)
      ELSE has_table_privilege(g.role, r.oid, p.privilege) END
  FROM grantee g CROSS JOIN relation r CROSS JOIN unnest($2::text[]) AS p(privilege)
  WHERE NOT r.is_sequence
  UNION ALL
  SELECT g.role, 'sequence', r.nspname, r.name, p.privilege,
    has_sequence_privilege(g.role, r.oid, p.privilege)
  FROM grantee g CROSS JOIN relation r CROSS JOIN unnest($3::text[]) AS p(privilege)
  WHERE r.is_sequence
  UNION ALL
  SELECT g.role, 'function', f.nspname, f.name, p.privilege,
    has_function_privilege(g.role, f.oid, p.privilege)
  FROM grantee g CROSS JOIN routine f CROSS JOIN unnest($4::text[]) AS p(privilege)`;

// Cluster-wide powers that bypass object privileges altogether, and role memberships, through
// which a role could inherit or SET ROLE to someone else's rights.
const roleAttributesQuery = `
  SELECT r.rolname AS role, 'role' AS kind, NULL AS schema, r.rolname AS name, a.privilege,
    a.held
  FROM pg_roles r CROSS JOIN LATERAL (VALUES
    ('SUPERUSER', r.rolsuper), ('CREATEDB', r.rolcreatedb), ('CREATEROLE', r.rolcreaterole),
    ('REPLICATION', r.rolreplication), ('BYPASSRLS', r.rolbypassrls)) AS a(privilege, held)
  WHERE r.rolname = ANY($1::text[])
  UNION ALL
  SELECT m.rolname, 'role', NULL, m.rolname, 'MEMBER OF ' || g.rolname, true
  FROM pg_auth_members am
  JOIN pg_roles m ON m.oid = am.member
  JOIN pg_roles g ON g.oid = am.roleid
  WHERE m.rolname = ANY($1::text[])`;

/**
 * How default privileges are named: `on tables created by <role> in <schema>`, or `... in any
 * schema` for those that apply everywhere (a null schema).
 */
export function defaultPrivilegesName(
  objects: DefaultObjects,
  creator: string,
  schema: string | null,
): string {
  return `on ${objects} created by ${creator} in ${schema ?? 'any schema'}`;
}

/**
 * Reads, for each grantee (a role name or `public`), every privilege it could hold on the
 * current database, its schemas, and their tables, views, sequences and functions, and what
 * default privileges give it on objects not created yet.
 */
export async function readCatalogPrivileges(
  client: pg.ClientBase,
  grantees: readonly string[],
): Promise<CatalogPrivilege[]> {
  const result = await client.query<CatalogPrivilege>(privilegesQuery, [
    grantees,
    tablePrivileges,
    sequencePrivileges,
    functionPrivileges,
  ]);
  const defaults = await client.query<DefaultPrivilegeRow>(defaultPrivilegesQuery, [grantees]);

  return [...result.rows, ...defaults.rows.map(describeDefaultPrivilege)];
}

function describeDefaultPrivilege(row: DefaultPrivilegeRow): CatalogPrivilege {
  const name = defaultPrivilegesName(row.objects, row.creator, row.schema);

  return {
    role: row.role,
    kind: 'default privileges',
    schema: row.schema,
    name,
    privilege: row.privilege,
    held: true,
  };
}

/** Reads the role attributes and memberships of the given roles (not `public`). */
export async function readRoleAttributes(
  client: pg.ClientBase,
  roles: readonly string[],
): Promise<CatalogPrivilege[]> {
  const result = await client.query<CatalogPrivilege>(roleAttributesQuery, [roles]);

  return result.rows;
}
