import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { User, UserStore } from './users.ts';

/**
 * The claims authorisation needs, in ID tokens, userinfo and access tokens alike: the role, and
 * for customer users the customer id. The email is only for display.
 */
export function claimsOf(user: User): { sub: string } & Record<string, string> {
  return {
    sub: user.id,
    email: user.email,
    role: user.role,
    ...(user.customerId === null ? {} : { customer_id: user.customerId }),
  };
}

/** oidc-provider's account lookup: a disabled or deleted user has no account, so no tokens. */
export function accountFinder(users: UserStore): FindAccount {
  return async (_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> => {
    const user = await users.findById(sub);
    if (user === undefined || user.disabled) return undefined;

    return { accountId: user.id, claims: async () => claimsOf(user) };
  };
}

type TokenWithAccount = { accountId?: string | undefined };

/**
 * Puts `role` and `customer_id` into access tokens issued for a person, so a resource server can
 * authorise from the token alone. Read fresh at every issuance: a changed role shows at refresh.
 */
export function accessTokenClaims(users: UserStore) {
  return async (_ctx: KoaContextWithOIDC, token: unknown) => {
    const accountId = (token as TokenWithAccount).accountId;
    if (accountId === undefined) return undefined;

    const user = await users.findById(accountId);
    if (user === undefined) return undefined;

    const { role, customer_id } = claimsOf(user);
    return customer_id === undefined ? { role } : { role, customer_id };
  };
}
