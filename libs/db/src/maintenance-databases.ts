import type pg from 'pg';
import { escapeIdentifier as id } from 'pg';

/** The databases initdb creates that accept connections (template0 accepts none). */
export const maintenanceDatabases: readonly string[] = Object.freeze(['postgres', 'template1']);

/**
 * Takes PostgreSQL's default CONNECT and TEMPORARY for PUBLIC away from the maintenance
 * databases, so a platform role reaches no database it was not granted. Superusers, the admin
 * among them, keep their access. Only for a cluster that belongs to the platform: on a shared
 * server, other applications' roles may rely on those defaults.
 */
export async function closeMaintenanceDatabases(client: pg.ClientBase): Promise<void> {
  for (const name of await listOpenMaintenanceDatabases(client)) {
    await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${id(name)} FROM PUBLIC`);
  }
}

/** The maintenance databases where PUBLIC, and so every role, may still connect or use TEMP. */
export async function listOpenMaintenanceDatabases(client: pg.ClientBase): Promise<string[]> {
  const result = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database
    WHERE datname = ANY($1::text[]) AND datallowconn
      AND (has_database_privilege('public', oid, 'CONNECT')
        OR has_database_privilege('public', oid, 'TEMPORARY'))
    ORDER BY datname`,
    [maintenanceDatabases],
  );

  return result.rows.map((row) => row.datname);
}
