import { withTransaction } from '@footfall/db';
import type { AccountState } from './account-state.ts';
import type { AuditLog } from './audit-log.ts';
import type { Config } from './config.ts';
import type { Pool, Queryable } from './database-pool.ts';
import { authErrors } from './errors.ts';
import { type OneTimePurpose, OneTimeTokens } from './one-time-tokens.ts';
import { passwordPagePath } from './password-pages.ts';
import { type User, type UserRole, UserStore } from './users.ts';

/** An invitation or password-reset link, as issued: the URL holds the one-time token. */
export interface PasswordLink {
  readonly purpose: OneTimePurpose;
  readonly url: string;
  readonly expiresAt: Date;
}

/**
 * Hands a new link to its person. It runs outside any transaction, after the link is stored and
 * before it replaces earlier ones: when it throws, the link is withdrawn (a new user removed
 * with it) and any earlier link keeps working.
 */
export type LinkDelivery = (user: User, link: PasswordLink) => Promise<void>;

/** For callers that pass the link on themselves (the API without mail, the operator command). */
export const returnToCaller: LinkDelivery = async () => {};

/** Where links point and how long they work. */
export interface LinkSettings {
  /** The public origin of the auth service, which serves the password page. */
  readonly publicUrl: string;
  readonly invitationTtlSeconds: number;
  readonly passwordResetTtlSeconds: number;
}

/** The variables links are made from; the issuer is optional for the operator command. */
type LinkConfig = Pick<
  Config,
  'AUTH_PUBLIC_URL' | 'AUTH_INVITATION_TTL_SECONDS' | 'AUTH_PASSWORD_RESET_TTL_SECONDS'
> & { readonly AUTH_ISSUER?: string | undefined };

/**
 * Where links point, AUTH_PUBLIC_URL or else the issuer's origin, and how long they work;
 * undefined when neither URL is set.
 */
export function linkSettingsOf(config: LinkConfig): LinkSettings | undefined {
  const origin = config.AUTH_PUBLIC_URL ?? config.AUTH_ISSUER;
  if (origin === undefined) return undefined;

  return {
    publicUrl: new URL(origin).origin,
    invitationTtlSeconds: config.AUTH_INVITATION_TTL_SECONDS,
    passwordResetTtlSeconds: config.AUTH_PASSWORD_RESET_TTL_SECONDS,
  };
}

export interface AccountAdministrationOptions {
  /** The one role this administration manages; users of any other role are invisible to it. */
  readonly role: UserRole;
  readonly pool: Pool;
  readonly accountState: AccountState;
  readonly audit: AuditLog;
  /** Without them, users can be created and disabled but get no links (the demo accounts). */
  readonly links?: LinkSettings | undefined;
}

/**
 * Creating, inviting, resetting and disabling the users of one role. The user API gets one for
 * customer users and the operator command one for platform admins, so neither can reach the
 * other's accounts (threat T2: a compromised customer service cannot take over an admin).
 */
export class AccountAdministration {
  readonly #options: AccountAdministrationOptions;
  readonly #users: UserStore;

  constructor(options: AccountAdministrationOptions) {
    this.#options = options;
    this.#users = new UserStore(options.pool);
  }

  /** The user with this id, when it has the managed role; otherwise undefined, as if absent. */
  async findById(id: string): Promise<User | undefined> {
    return this.#managed(await this.#users.findById(id));
  }

  /** The user with this email, when it has the managed role. */
  async findByEmail(email: string): Promise<User | undefined> {
    return this.#managed(await this.#users.findByEmail(email));
  }

  /** One page of a customer's users with the managed role, ordered by id; `next` continues. */
  async listOfCustomer(customerId: string, page: { after?: string | undefined; limit: number }) {
    const found = await this.#users.listOfCustomer(customerId, this.#options.role, {
      after: page.after,
      limit: page.limit + 1,
    });
    const users = found.slice(0, page.limit);

    return { users, next: found.length > page.limit ? users.at(-1)?.id : undefined };
  }

  /**
   * Creates a user without a password and delivers an invitation; when the delivery fails the
   * user is removed again. Undefined when the email is taken, by a user of any role.
   */
  async createInvited(
    person: { readonly email: string; readonly customerId: string | null },
    deliver: LinkDelivery,
  ): Promise<{ user: User; invitation: PasswordLink } | undefined> {
    const created = await withTransaction(this.#options.pool, async (client) => {
      const user = await new UserStore(client).create(this.#newUser(person));
      return user && { user, issued: await this.#issue(client, user, 'invitation') };
    });
    if (created === undefined) return undefined;

    const { user, issued } = created;
    await deliverOrUndo(deliver, user, issued.link, () => this.#users.forgetUnmailed(user.id));
    await this.#recordCreated(user);
    return { user, invitation: issued.link };
  }

  /** Creates a user without any link (the demo accounts, which get a password at once). */
  async create(person: { readonly email: string; readonly customerId: string | null }) {
    const user = await this.#users.create(this.#newUser(person));

    if (user !== undefined) await this.#recordCreated(user);
    return user;
  }

  /** A new invitation; the previous one stops working once this one is delivered. */
  async invite(user: User, deliver: LinkDelivery): Promise<PasswordLink> {
    this.#assertActive(user);

    return this.#issueDelivered(user, 'invitation', deliver);
  }

  /** A password-reset link; the current password keeps working until a new one is chosen. */
  async resetPassword(user: User, deliver: LinkDelivery): Promise<PasswordLink> {
    this.#assertActive(user);

    const link = await this.#issueDelivered(user, 'password_reset', deliver);
    await this.#options.audit.record({ event: 'password_reset_requested', userId: user.id });
    return link;
  }

  /** No more sign-in; every session, grant and refresh token of the user is revoked. */
  async disable(user: User): Promise<User> {
    this.#assertManaged(user);

    await this.#users.disable(user.id);
    const revoked = await this.#options.accountState.revokeAll(user.id);
    await this.#options.audit.record({
      event: 'user_disabled',
      userId: user.id,
      detail: { revoked },
    });
    return { ...user, disabled: true };
  }

  #managed(user: User | undefined): User | undefined {
    return user?.role === this.#options.role ? user : undefined;
  }

  #newUser(person: { readonly email: string; readonly customerId: string | null }) {
    const { role } = this.#options;
    if ((role === 'customer-user') !== (person.customerId !== null)) {
      throw new TypeError('a customer user needs a customer id, and a platform admin has none');
    }

    return { email: person.email, role, customerId: person.customerId };
  }

  #assertManaged(user: User): void {
    if (user.role !== this.#options.role) {
      throw new TypeError(`this administration manages ${this.#options.role} accounts only`);
    }
  }

  #assertActive(user: User): void {
    this.#assertManaged(user);
    if (user.disabled) throw authErrors.create('AUTH_USER_DISABLED');
  }

  async #issueDelivered(user: User, purpose: OneTimePurpose, deliver: LinkDelivery) {
    const tokens = new OneTimeTokens(this.#options.pool);
    const { token, link } = await this.#issue(this.#options.pool, user, purpose);

    await deliverOrUndo(deliver, user, link, () => tokens.withdraw(token));
    await tokens.supersede(token);
    return link;
  }

  async #issue(client: Queryable, user: User, purpose: OneTimePurpose) {
    const { links } = this.#options;
    if (links === undefined) throw new TypeError('this administration was made without links');

    const { invitationTtlSeconds, passwordResetTtlSeconds, publicUrl } = links;
    const ttl = purpose === 'invitation' ? invitationTtlSeconds : passwordResetTtlSeconds;
    const issued = await new OneTimeTokens(client).issue(user.id, purpose, ttl);
    const path = passwordPagePath.replace(':token', issued.token);
    const link = { purpose, url: new URL(path, publicUrl).href, expiresAt: issued.expiresAt };

    return { token: issued.token, link };
  }

  async #recordCreated(user: User): Promise<void> {
    await this.#options.audit.record({
      event: 'user_created',
      userId: user.id,
      detail: { role: user.role },
    });
  }
}

// The mail goes out with no transaction open: a hung SMTP server (up to three timeouts) must not
// hold a pooled connection and row locks that the token endpoint and sign-in wait for.
async function deliverOrUndo(
  deliver: LinkDelivery,
  user: User,
  link: PasswordLink,
  undo: () => Promise<unknown>,
): Promise<void> {
  try {
    await deliver(user, link);
  } catch (error) {
    await undo();
    throw error;
  }
}
