import type pg from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { createScramVerifier } from './scram-verifier.ts';

const roleAttributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

// Only a superuser may even restate REPLICATION or BYPASSRLS on an existing role, so the
// attributes are reasserted only when they have drifted; an admin with CREATEROLE alone (as on
// managed services) can then still rotate passwords.
const stateQuery = `
  SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls
    OR NOT rolcanlogin AS drifted
  FROM pg_roles WHERE rolname = $1`;

/**
 * Creates the login role if it is missing, puts back its attributes if someone widened them,
 * and sets its password. The password travels as a SCRAM verifier computed here, never as
 * plaintext. Returns whether the role was created.
 */
export async function ensureRole(
  client: pg.ClientBase,
  role: string,
  password: string,
): Promise<boolean> {
  const state = await client.query<{ drifted: boolean }>(stateQuery, [role]);
  const created = state.rows.length === 0;

  if (created) {
    await client.query(`CREATE ROLE ${escapeIdentifier(role)} ${roleAttributes}`);
  }

  const attributes = state.rows[0]?.drifted === true ? roleAttributes : '';
  const verifier = escapeLiteral(createScramVerifier(password));
  await client.query(`ALTER ROLE ${escapeIdentifier(role)} ${attributes} PASSWORD ${verifier}`);

  return created;
}
