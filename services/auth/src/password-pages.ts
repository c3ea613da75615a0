import type { ServiceApp } from '@footfall/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountState } from './account-state.ts';
import type { AuditLog } from './audit-log.ts';
import type { CsrfTokens } from './csrf-tokens.ts';
import type { AuthErrorCode } from './errors.ts';
import { authErrors } from './errors.ts';
import { escapeHtml, form, notice, type PageSecurity, page } from './html-pages.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import { sendPage, sendPageError } from './page-reply.ts';
import type { PasswordHasher } from './password-hashing.ts';
import { findPasswordProblem, normalisePassword, passwordLength } from './password-policy.ts';
import type { UserStore } from './users.ts';

export interface PasswordPagesOptions {
  readonly tokens: OneTimeTokens;
  readonly users: UserStore;
  readonly hasher: PasswordHasher;
  readonly accountState: AccountState;
  readonly csrf: CsrfTokens;
  readonly audit: AuditLog;
  readonly security: PageSecurity;
}

/** Where an invitation or password-reset link points; the token is the last path segment. */
export const passwordPagePath = '/password/:token';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

const passwordForm = z.object({
  csrf: z.string().max(200),
  password: z.string().max(4096),
  confirmation: z.string().max(4096),
});

/**
 * The page an invitation or a password-reset link opens: the person chooses a password, the
 * link is used up, and every session and token the account held is revoked.
 */
export async function passwordPages(app: ServiceApp, options: PasswordPagesOptions) {
  app.get(passwordPagePath, async (request: TokenRequest, reply) => {
    const { token } = request.params;
    if (!(await isUsable(options, token)))
      return sendPageError(reply, options.security, 'AUTH_LINK_INVALID');

    return sendPage(reply, options.security, 200, renderPasswordForm(options, token));
  });

  app.post(passwordPagePath, async (request: TokenRequest, reply) => {
    const { token } = request.params;
    const body = passwordForm.safeParse(request.body);
    if (!body.success || !options.csrf.verify('password', token, body.data.csrf)) {
      return sendPageError(reply, options.security, 'AUTH_FORM_REJECTED');
    }
    if (!(await isUsable(options, token)))
      return sendPageError(reply, options.security, 'AUTH_LINK_INVALID');

    const problem = passwordProblemCode(body.data.password, body.data.confirmation);
    if (problem !== undefined) return showProblem(options, reply, token, problem);

    return choosePassword(options, reply, token, body.data.password);
  });
}

async function isUsable(options: PasswordPagesOptions, token: string): Promise<boolean> {
  const found = await options.tokens.peek(token);
  const user = found === undefined ? undefined : await options.users.findById(found.userId);

  return user !== undefined && !user.disabled;
}

function passwordProblemCode(password: string, confirmation: string): AuthErrorCode | undefined {
  const problem = findPasswordProblem(password);
  if (problem === 'too_short') return 'AUTH_PASSWORD_TOO_SHORT';
  if (problem === 'too_long') return 'AUTH_PASSWORD_TOO_LONG';
  if (normalisePassword(password) !== normalisePassword(confirmation))
    return 'AUTH_PASSWORDS_DIFFER';

  return undefined;
}

function showProblem(
  options: PasswordPagesOptions,
  reply: FastifyReply,
  token: string,
  code: AuthErrorCode,
) {
  const { message, statusCode } = authErrors.create(code, { params: passwordLength });

  return sendPage(reply, options.security, statusCode, renderPasswordForm(options, token, message));
}

async function choosePassword(
  options: PasswordPagesOptions,
  reply: FastifyReply,
  token: string,
  password: string,
) {
  // Hash first: the token is used up only once the new password is ready to be stored.
  const passwordHash = await options.hasher.hash(normalisePassword(password));
  const used = await options.tokens.consume(token);
  if (used === undefined) return sendPageError(reply, options.security, 'AUTH_LINK_INVALID');

  await options.users.setPasswordHash(used.userId, passwordHash);
  // Every new password ends the sessions held with the old one, whatever the link: an invitation
  // re-issued to someone who already has a password replaces it just as a reset does. For a
  // first invitation there is nothing to revoke (no password, so no sign-in yet).
  await options.accountState.revokeAll(used.userId);
  await options.audit.record({
    event: 'password_set',
    userId: used.userId,
    detail: { via: used.purpose },
  });

  const body = '<p>Your password is set. Go back to Footfall and sign in with it.</p>';
  return sendPage(reply, options.security, 200, page('Password saved', body));
}

function renderPasswordForm(options: PasswordPagesOptions, token: string, problem?: string) {
  const fields = [
    { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password' },
    {
      name: 'confirmation',
      label: 'The same password again',
      type: 'password',
      autocomplete: 'new-password',
    },
  ] as const;
  const advice = 'A few unrelated words are easy to remember and hard to guess.';
  const hint = `<p>At least ${passwordLength.min} characters. ${advice}</p>`;
  const action = `/password/${encodeURIComponent(token)}`;

  return page(
    'Choose your password',
    notice(problem) +
      `<p>${escapeHtml('This link works once.')}</p>` +
      hint +
      form(action, options.csrf.issue('password', token), fields, [['save', 'Save password']]),
  );
}
