import type { Pool } from './database-pool.ts';
import { minimumHashingCost, PasswordHasher } from './password-hashing.ts';
import { standaloneAdministration } from './standalone-administration.ts';
import { type UserRole, UserStore } from './users.ts';

/** The customer the demo customer user belongs to; the demo fleet's customer has this id. */
export const demoCustomerId = '00000000-0000-4000-8000-00000000f00f';

export interface DemoAccount {
  readonly email: string;
  readonly role: UserRole;
  readonly password: string;
}

/** The two logins `pnpm start` prints: one platform admin, one user of the demo customer. */
export function describeDemoAccounts(passwords: {
  readonly admin: string;
  readonly customer: string;
}): DemoAccount[] {
  return [
    { email: 'admin@demo.footfall.test', role: 'platform-admin', password: passwords.admin },
    { email: 'manager@demo.footfall.test', role: 'customer-user', password: passwords.customer },
  ];
}

/**
 * Makes sure each demo account exists and signs in with the given password; run as the auth
 * service's runtime role. Accounts are created as the user API and the operator command create
 * them (audited); only the password is set directly, where a person would follow the
 * invitation. Only for local development: production users come through invitations.
 */
export async function ensureDemoAccounts(pool: Pool, accounts: readonly DemoAccount[]) {
  const users = new UserStore(pool);
  const hasher = new PasswordHasher(minimumHashingCost);

  for (const account of accounts) {
    const administration = standaloneAdministration(pool, account.role);
    const customerId = account.role === 'customer-user' ? demoCustomerId : null;
    const user =
      (await administration.create({ email: account.email, customerId })) ??
      (await administration.findByEmail(account.email));
    if (user === undefined) throw new Error(`demo account ${account.email} could not be made`);

    await users.setPasswordHash(user.id, await hasher.hash(account.password));
  }
}
