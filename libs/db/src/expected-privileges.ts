/**
 * What each runtime and read-only role of a service may do to the objects in its database,
 * declared next to the migrations that grant it (`services/<name>/src/privileges.ts`). The grant
 * matrix compares this with the catalog: anything granted and not declared here is a violation,
 * and so is anything declared here and not granted.
 */

export const tablePrivileges = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
] as const;

export const sequencePrivileges = ['USAGE', 'SELECT', 'UPDATE'] as const;

export const functionPrivileges = ['EXECUTE'] as const;

export type TablePrivilege = (typeof tablePrivileges)[number];
export type SequencePrivilege = (typeof sequencePrivileges)[number];
export type FunctionPrivilege = (typeof functionPrivileges)[number];

export interface RolePrivileges {
  /**
   * Held on every table and view of the service schema, present and future; how a read-only
   * role is declared (bootstrap grants it through default privileges, which the matrix expects
   * to find for the tables the owner creates later).
   */
  readonly allTables?: readonly TablePrivilege[];
  /** Keyed by `schema.table` (views included). A column-level grant counts as the privilege. */
  readonly tables?: Readonly<Record<string, readonly TablePrivilege[]>>;
  /** Keyed by `schema.sequence`. */
  readonly sequences?: Readonly<Record<string, readonly SequencePrivilege[]>>;
  /**
   * Keyed by `schema.name(arguments)`, the arguments as `pg_get_function_identity_arguments`
   * prints them: with their names when the function names them, for example
   * `ingestion.claim_batch(batch_id uuid, max_rows integer)`, and types alone otherwise
   * (`ingestion.claim_batch(uuid, integer)`).
   */
  readonly functions?: Readonly<Record<string, readonly FunctionPrivilege[]>>;
}

/** Keyed by role name; a role left out holds nothing on any table, sequence or function. */
export type ExpectedPrivileges = Readonly<Record<string, RolePrivileges>>;
