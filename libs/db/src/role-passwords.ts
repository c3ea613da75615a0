import { DbError } from './db-error.ts';
import { listRoles } from './role-model.ts';
import { isScramSafePassword } from './scram-verifier.ts';

export const minimumPasswordLength = 16;

/** Role name to password, supplied from outside (environment, a secret store, the test setup). */
export type RolePasswords = Readonly<Record<string, string>>;

/**
 * Checks that every platform role has a usable password before anything is changed, and names
 * every offending role at once (never the passwords). Throws DB_BOOTSTRAP_PASSWORDS_INVALID.
 */
export function assertRolePasswords(passwords: RolePasswords): void {
  const roles = listRoles();
  const missing = roles.filter((role) => passwords[role] === undefined);
  const present = roles.filter((role) => passwords[role] !== undefined);
  const tooShort = present.filter((role) => (passwords[role] ?? '').length < minimumPasswordLength);
  const unsafe = present.filter((role) => !isScramSafePassword(passwords[role] ?? ''));

  const problems = [
    describeProblem('missing', missing),
    describeProblem(`shorter than ${minimumPasswordLength} characters`, tooShort),
    describeProblem('not printable ASCII', unsafe),
  ].filter((problem) => problem !== '');

  if (problems.length > 0) {
    throw new DbError('DB_BOOTSTRAP_PASSWORDS_INVALID', { problems: problems.join('; ') });
  }
}

function describeProblem(problem: string, roles: readonly string[]): string {
  return roles.length === 0 ? '' : `${problem}: ${roles.join(', ')}`;
}
