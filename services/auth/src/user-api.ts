import type { ServiceApp } from '@footfall/service-kit';
import { z } from 'zod';
import type { AccountState } from './account-state.ts';
import type { AuditLog } from './audit-log.ts';
import { authErrors } from './errors.ts';
import type { OidcServer } from './oidc-server.ts';
import type { OneTimePurpose, OneTimeTokens } from './one-time-tokens.ts';
import { passwordPagePath } from './password-pages.ts';
import { requireUserApiToken } from './user-api-access.ts';
import type { User, UserStore } from './users.ts';

export interface UserApiOptions {
  readonly oidc: OidcServer;
  readonly users: UserStore;
  readonly tokens: OneTimeTokens;
  readonly accountState: AccountState;
  readonly audit: AuditLog;
  /** The public origin the links in invitations and resets point at. */
  readonly publicUrl: string;
  readonly invitationTtlSeconds: number;
  readonly passwordResetTtlSeconds: number;
}

const newUser = z.discriminatedUnion('role', [
  z.strictObject({
    email: z.email().max(254),
    role: z.literal('customer-user'),
    customerId: z.uuid(),
  }),
  z.strictObject({ email: z.email().max(254), role: z.literal('platform-admin') }),
]);

const userParams = z.object({ id: z.uuid() });

// A ZodError thrown here is answered by the service kit as HTTP_VALIDATION_FAILED (400).

/**
 * The internal user API, for the customer service only (client credentials, audience
 * `urn:footfall:auth`, scope `auth:users:write`). There is no mail delivery: each invitation
 * and reset link is returned to the caller, which passes it on to the person.
 */
export async function userApi(app: ServiceApp, options: UserApiOptions): Promise<void> {
  app.addHook('onRequest', requireUserApiToken(options.oidc));

  app.post('/users', async (request, reply) => {
    const input = newUser.parse(request.body);
    const customerId = input.role === 'customer-user' ? input.customerId : null;
    const user = await options.users.create({ email: input.email, role: input.role, customerId });
    if (user === undefined) throw authErrors.create('AUTH_USER_EXISTS');

    await options.audit.record({
      event: 'user_created',
      userId: user.id,
      detail: { role: user.role },
    });
    const invitation = await issueLink(options, user, 'invitation');
    return reply.code(201).send({ user: present(user), invitation });
  });

  app.get('/users/:id', async (request) => {
    return { user: present(await findUser(options, request.params)) };
  });

  app.post('/users/:id/invitation', async (request, reply) => {
    const user = await findUser(options, request.params);
    if (user.disabled) throw authErrors.create('AUTH_USER_DISABLED');

    return reply.code(201).send({ invitation: await issueLink(options, user, 'invitation') });
  });

  app.post('/users/:id/password-reset', async (request, reply) => {
    const user = await findUser(options, request.params);
    if (user.disabled) throw authErrors.create('AUTH_USER_DISABLED');

    await options.audit.record({ event: 'password_reset_requested', userId: user.id });
    return reply
      .code(201)
      .send({ passwordReset: await issueLink(options, user, 'password_reset') });
  });

  app.post('/users/:id/disable', async (request) => {
    const user = await findUser(options, request.params);

    await options.users.disable(user.id);
    const revoked = await options.accountState.revokeAll(user.id);
    await options.audit.record({ event: 'user_disabled', userId: user.id, detail: { revoked } });
    return { user: present({ ...user, disabled: true }) };
  });
}

async function findUser(options: UserApiOptions, params: unknown): Promise<User> {
  const { id } = userParams.parse(params);
  const user = await options.users.findById(id);
  if (user === undefined) throw authErrors.create('AUTH_USER_NOT_FOUND');

  return user;
}

async function issueLink(options: UserApiOptions, user: User, purpose: OneTimePurpose) {
  const ttl =
    purpose === 'invitation' ? options.invitationTtlSeconds : options.passwordResetTtlSeconds;
  const issued = await options.tokens.issue(user.id, purpose, ttl);
  const path = passwordPagePath.replace(':token', issued.token);

  return { url: new URL(path, options.publicUrl).href, expiresAt: issued.expiresAt.toISOString() };
}

/** What the API tells about a user: never the hash. */
function present(user: User) {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    customerId: user.customerId,
    disabled: user.disabled,
    hasPassword: user.hasPassword,
    createdAt: user.createdAt.toISOString(),
  };
}
