import { z } from 'zod';
import { parseEnvironment, postgresUrlSchema } from './environment.ts';
import { listRoles } from './role-model.ts';
import { minimumPasswordLength, type RolePasswords } from './role-passwords.ts';
import { isScramSafePassword } from './scram-verifier.ts';

export interface BootstrapEnvironment {
  readonly adminUrl: string;
  readonly passwords: RolePasswords;
}

const passwordSchema = z
  .string({ error: 'is not set' })
  .min(minimumPasswordLength, { error: `must be at least ${minimumPasswordLength} characters` })
  .refine(isScramSafePassword, { error: 'must be printable ASCII' });

/**
 * The variable holding a role's password: the role name upper-cased plus `_PASSWORD`, e.g.
 * `FOOTFALL_INGESTION_APP_PASSWORD` for `footfall_ingestion_app`.
 */
export function passwordVariableFor(role: string): string {
  return `${role.toUpperCase()}_PASSWORD`;
}

/**
 * Reads DATABASE_ADMIN_URL and one password variable per platform role. Throws
 * DB_CONFIG_INVALID naming each variable that is missing or unusable.
 */
export function readBootstrapEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): BootstrapEnvironment {
  const roles = listRoles();
  const passwordShape: Record<string, typeof passwordSchema> = Object.fromEntries(
    roles.map((role) => [passwordVariableFor(role), passwordSchema]),
  );
  const shape = { DATABASE_ADMIN_URL: postgresUrlSchema, ...passwordShape };
  const parsed: Readonly<Record<string, string>> = parseEnvironment(shape, env);

  // Every variable was required above, so none of these lookups comes back empty.
  const passwords = Object.fromEntries(
    roles.map((role) => [role, parsed[passwordVariableFor(role)] ?? '']),
  );

  return { adminUrl: parsed.DATABASE_ADMIN_URL ?? '', passwords };
}
