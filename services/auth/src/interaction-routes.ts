import type { ServiceApp } from '@footfall/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, type InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import type { AuditLog } from './audit-log.ts';
import type { CsrfTokens } from './csrf-tokens.ts';
import type { PageSecurity } from './html-pages.ts';
import { renderConsent, renderSignIn } from './interaction-pages.ts';
import type { OidcServer } from './oidc-server.ts';
import { sendPage, sendPageError } from './page-reply.ts';
import { scopesAllowedForRole } from './role-scopes.ts';
import type { SignIn } from './sign-in.ts';
import type { UserStore } from './users.ts';

export interface InteractionRoutesOptions {
  readonly oidc: OidcServer;
  readonly signIn: SignIn;
  readonly users: UserStore;
  readonly csrf: CsrfTokens;
  readonly audit: AuditLog;
  readonly security: PageSecurity;
}

type Interaction = Awaited<ReturnType<OidcServer['provider']['interactionDetails']>>;
type UidRequest = FastifyRequest<{ Params: { uid: string } }>;

const signInForm = z.object({
  csrf: z.string().max(200),
  email: z.string().max(254),
  password: z.string().max(1024),
});

const consentForm = z.object({
  csrf: z.string().max(200),
  action: z.enum(['allow', 'deny']),
});

/**
 * Sign-in and consent, the two steps oidc-provider hands to the application. The provider keeps
 * the interaction (in the database, tied to the browser by its cookie); these routes render its
 * pages and report the result back, and the provider then continues the authorization request.
 */
export async function interactionRoutes(
  app: ServiceApp,
  options: InteractionRoutesOptions,
): Promise<void> {
  app.get('/interaction/:uid', async (request: UidRequest, reply) => {
    const interaction = await findInteraction(options, request, reply);
    if (interaction === undefined) return reply;

    return showStep(options, interaction, reply);
  });

  app.post('/interaction/:uid/sign-in', async (request: UidRequest, reply) => {
    const interaction = await findInteraction(options, request, reply);
    const body = signInForm.safeParse(request.body);
    if (interaction === undefined) return reply;
    if (!body.success || !acceptsCsrf(options, interaction, body.data.csrf)) {
      return sendPageError(reply, options.security, 'AUTH_FORM_REJECTED');
    }
    if (interaction.prompt.name !== 'login') return showStep(options, interaction, reply);

    return signInStep(options, interaction, body.data, request, reply);
  });

  app.post('/interaction/:uid/consent', async (request: UidRequest, reply) => {
    const interaction = await findInteraction(options, request, reply);
    const body = consentForm.safeParse(request.body);
    if (interaction === undefined) return reply;
    if (!body.success || !acceptsCsrf(options, interaction, body.data.csrf)) {
      return sendPageError(reply, options.security, 'AUTH_FORM_REJECTED');
    }
    if (interaction.prompt.name !== 'consent') return showStep(options, interaction, reply);

    return consentStep(options, interaction, body.data.action, request, reply);
  });
}

// The interaction this browser is in; an expired or foreign one gets a page saying to start over.
async function findInteraction(
  options: InteractionRoutesOptions,
  request: UidRequest,
  reply: FastifyReply,
): Promise<Interaction | undefined> {
  try {
    const interaction = await options.oidc.provider.interactionDetails(request.raw, reply.raw);
    if (interaction.uid === request.params.uid) return interaction;
  } catch (error) {
    if (!(error instanceof errors.SessionNotFound)) throw error;
  }

  await sendPageError(reply, options.security, 'AUTH_INTERACTION_EXPIRED');
  return undefined;
}

function acceptsCsrf(options: InteractionRoutesOptions, interaction: Interaction, token: string) {
  return options.csrf.verify('interaction', interaction.uid, token);
}

async function showStep(
  options: InteractionRoutesOptions,
  interaction: Interaction,
  reply: FastifyReply,
) {
  const csrfToken = options.csrf.issue('interaction', interaction.uid);
  if (interaction.prompt.name === 'login') {
    return sendPage(
      reply,
      options.security,
      200,
      renderSignIn({ uid: interaction.uid, csrfToken }),
    );
  }

  const user = await findSignedInUser(options, interaction);
  if (user === undefined) {
    return sendPageError(reply, options.security, 'AUTH_INTERACTION_EXPIRED');
  }

  const requested = requestedScopes(interaction);
  const scopes = scopesAllowedForRole(user.role, requested);
  const clientId = String(interaction.params.client_id ?? '');
  const html = renderConsent({ uid: interaction.uid, csrfToken, clientId, scopes });
  return sendPage(reply, options.security, 200, html);
}

async function signInStep(
  options: InteractionRoutesOptions,
  interaction: Interaction,
  form: z.output<typeof signInForm>,
  request: UidRequest,
  reply: FastifyReply,
) {
  const clientId = String(interaction.params.client_id ?? '');
  const outcome = await options.signIn.attempt({ ...form, address: request.ip, clientId });
  const csrfToken = options.csrf.issue('interaction', interaction.uid);
  const uid = interaction.uid;

  if (outcome.kind === 'refused') {
    const html = renderSignIn({ uid, csrfToken, email: form.email, problem: 'refused' });
    return sendPage(reply, options.security, 401, html);
  }
  if (outcome.kind === 'locked') {
    const html = renderSignIn({ uid, csrfToken, email: form.email, problem: 'locked' });
    reply.header('retry-after', String(outcome.retryAfterSeconds));
    return sendPage(reply, options.security, 429, html);
  }

  const result: InteractionResults = { login: { accountId: outcome.user.id } };
  return finish(options, request, reply, result);
}

async function consentStep(
  options: InteractionRoutesOptions,
  interaction: Interaction,
  action: 'allow' | 'deny',
  request: UidRequest,
  reply: FastifyReply,
) {
  const user = await findSignedInUser(options, interaction);
  const clientId = String(interaction.params.client_id ?? '');
  if (user === undefined) {
    return sendPageError(reply, options.security, 'AUTH_INTERACTION_EXPIRED');
  }

  if (action === 'deny') {
    await options.audit.record({ event: 'consent_denied', userId: user.id, clientId });
    const result = { error: 'access_denied', error_description: 'the user declined' };
    return finish(options, request, reply, result);
  }

  const grantId = await saveGrant(options, interaction, user.role);
  await options.audit.record({ event: 'consent_granted', userId: user.id, clientId });
  return finish(options, request, reply, { consent: { grantId } });
}

// Adds what the consent prompt says is missing to the grant, minus what the role may not have.
async function saveGrant(
  options: InteractionRoutesOptions,
  interaction: Interaction,
  role: Parameters<typeof scopesAllowedForRole>[0],
): Promise<string> {
  const { provider } = options.oidc;
  const accountId = interaction.session?.accountId ?? '';
  const clientId = String(interaction.params.client_id ?? '');
  const existing =
    interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId);
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details;

  const oidcScopes = (details.missingOIDCScope as string[] | undefined) ?? [];
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));

  const claims = (details.missingOIDCClaims as string[] | undefined) ?? [];
  if (claims.length > 0) grant.addOIDCClaims(claims);

  const resources = (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
  for (const [resource, scopes] of Object.entries(resources)) {
    const allowed = scopesAllowedForRole(role, scopes);
    const refused = scopes.filter((scope) => !allowed.includes(scope));
    if (allowed.length > 0) grant.addResourceScope(resource, allowed.join(' '));
    // Recorded as refused, so the provider issues without them instead of asking again.
    if (refused.length > 0) grant.rejectResourceScope(resource, refused.join(' '));
  }

  return grant.save();
}

function requestedScopes(interaction: Interaction): string[] {
  const details = interaction.prompt.details;
  const oidcScopes = (details.missingOIDCScope as string[] | undefined) ?? [];
  const resources = (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};

  return [...oidcScopes, ...Object.values(resources).flat()];
}

async function findSignedInUser(options: InteractionRoutesOptions, interaction: Interaction) {
  const accountId = interaction.session?.accountId;
  const user = accountId === undefined ? undefined : await options.users.findById(accountId);

  return user === undefined || user.disabled ? undefined : user;
}

// The provider decides where the browser goes next (the next step, or back to the client).
async function finish(
  options: InteractionRoutesOptions,
  request: UidRequest,
  reply: FastifyReply,
  result: InteractionResults,
) {
  const next = await options.oidc.provider.interactionResult(request.raw, reply.raw, result, {
    mergeWithLastSubmission: false,
  });

  return reply.redirect(next, 303);
}
