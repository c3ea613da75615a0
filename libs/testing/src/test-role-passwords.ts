import { createHmac, randomBytes } from 'node:crypto';
import { listRoles, type RolePasswords } from '@footfall/db';

/** Fresh random passwords, for a server that lives only as long as the test run. */
export function generateRolePasswords(): RolePasswords {
  return Object.fromEntries(
    listRoles().map((role) => [role, randomBytes(24).toString('base64url')]),
  );
}

/**
 * Passwords for a server shared by test runs (TEST_DATABASE_URL). Roles belong to the whole
 * server, and every run sets their passwords, so each role's is derived from the admin URL: runs
 * against the same server, even at the same time, set the same ones instead of locking each
 * other out. They are as secret as the URL, whose credentials already rule the server.
 */
export function deriveRolePasswords(adminUrl: string): RolePasswords {
  return Object.fromEntries(
    listRoles().map((role) => [
      role,
      createHmac('sha256', adminUrl).update(`footfall test role ${role}`).digest('base64url'),
    ]),
  );
}
