import type { ServiceApp } from '@footfall/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type AccountAdministration,
  type LinkDelivery,
  type PasswordLink,
  returnToCaller,
} from './account-administration.ts';
import { authErrors } from './errors.ts';
import type { LinkMailer } from './link-mailer.ts';
import type { OidcServer } from './oidc-server.ts';
import { requireUserApiToken } from './user-api-access.ts';
import type { User } from './users.ts';

export interface UserApiOptions {
  readonly oidc: OidcServer;
  /** Manages customer users only: platform admins are out of this API's reach. */
  readonly customerUsers: AccountAdministration;
  /** When set, links are mailed to the person and never returned to the caller. */
  readonly mailer?: LinkMailer | undefined;
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

const listQuery = z.strictObject({
  customerId: z.uuid(),
  after: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

// A ZodError thrown here is answered by the service kit as HTTP_VALIDATION_FAILED (400).

/**
 * The internal user API, for the customer service only (client credentials, audience
 * `urn:footfall:auth`, scope `auth:users:write`), over customer users only: a platform admin
 * cannot be created here (403 AUTH_ADMIN_NOT_MANAGED), and an existing one answers every route
 * as an unknown id would (404), so the API does not even tell which ids are admins. Admins are
 * managed with the operator command (manage-admins.ts). With SMTP configured each link is
 * mailed to the person and the answer carries no link; otherwise the link is returned to the
 * caller, which passes it on.
 */
export async function userApi(app: ServiceApp, options: UserApiOptions): Promise<void> {
  const { customerUsers, mailer } = options;
  const deliveryOf = (request: FastifyRequest): LinkDelivery =>
    mailer === undefined ? returnToCaller : mailer.deliveryFor(request.log);
  const presentLink = (link: PasswordLink) =>
    mailer === undefined ? presentReturned(link) : presentSent(link);
  app.addHook('onRequest', requireUserApiToken(options.oidc));

  app.post('/users', async (request, reply) => {
    const input = newUser.parse(request.body);
    if (input.role === 'platform-admin') throw authErrors.create('AUTH_ADMIN_NOT_MANAGED');

    const person = { email: input.email, customerId: input.customerId };
    const created = await customerUsers.createInvited(person, deliveryOf(request));
    if (created === undefined) throw authErrors.create('AUTH_USER_EXISTS');

    const invitation = presentLink(created.invitation);
    return reply.code(201).send({ user: present(created.user), invitation });
  });

  app.get('/users', async (request) => {
    const { customerId, ...page } = listQuery.parse(request.query);
    const { users, next } = await customerUsers.listOfCustomer(customerId, page);

    return { users: users.map(present), next: next ?? null };
  });

  app.get('/users/:id', async (request) => {
    return { user: present(await findUser(customerUsers, request.params)) };
  });

  app.post('/users/:id/invitation', async (request, reply) => {
    const user = await findUser(customerUsers, request.params);
    const invitation = await customerUsers.invite(user, deliveryOf(request));

    return reply.code(201).send({ invitation: presentLink(invitation) });
  });

  app.post('/users/:id/password-reset', async (request, reply) => {
    const user = await findUser(customerUsers, request.params);
    const passwordReset = await customerUsers.resetPassword(user, deliveryOf(request));

    return reply.code(201).send({ passwordReset: presentLink(passwordReset) });
  });

  app.post('/users/:id/disable', async (request) => {
    const user = await findUser(customerUsers, request.params);

    return { user: present(await customerUsers.disable(user)) };
  });
}

async function findUser(customerUsers: AccountAdministration, params: unknown): Promise<User> {
  const { id } = userParams.parse(params);
  const user = await customerUsers.findById(id);
  if (user === undefined) throw authErrors.create('AUTH_USER_NOT_FOUND');

  return user;
}

function presentReturned(link: PasswordLink) {
  return { delivery: 'returned', url: link.url, expiresAt: link.expiresAt.toISOString() };
}

// The link went to the person's mailbox only: the caller never holds it.
function presentSent(link: PasswordLink) {
  return { delivery: 'sent', expiresAt: link.expiresAt.toISOString() };
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
