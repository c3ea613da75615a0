import type pg from 'pg';
import { functionPrivileges, sequencePrivileges, tablePrivileges } from './expected-privileges.ts';

export type CatalogObjectKind = 'database' | 'schema' | 'table' | 'sequence' | 'function' | 'role';

/** Whether `role` holds `privilege` on one object, as the server decides it right now. */
export interface CatalogPrivilege {
  readonly role: string;
  readonly kind: CatalogObjectKind;
  /** The object's schema; null for the database, schemas and roles. */
  readonly schema: string | null;
  /** Schema-qualified for tables, sequences and functions (with argument types). */
  readonly name: string;
  readonly privilege: string;
  readonly held: boolean;
}

// Every schema a migration could create objects in: all but the system ones. Enumerating them
// (rather than listing the service schema) is what makes an undeclared object visible.
const userSchemas = `
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'`;

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
 * Reads, for each grantee (a role name or `public`), every privilege it could hold on the
 * current database, its schemas, and their tables, views, sequences and functions.
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

  return result.rows;
}

/** Reads the role attributes and memberships of the given roles (not `public`). */
export async function readRoleAttributes(
  client: pg.ClientBase,
  roles: readonly string[],
): Promise<CatalogPrivilege[]> {
  const result = await client.query<CatalogPrivilege>(roleAttributesQuery, [roles]);

  return result.rows;
}
