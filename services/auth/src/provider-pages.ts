import type { KoaContextWithOIDC } from 'oidc-provider';
import { buttonForm, escapeHtml, page } from './html-pages.ts';

/**
 * The pages oidc-provider renders itself, in the service's own markup: its error page and the
 * two of RP-initiated logout (the question, and the answer once signed out). Like the sign-in
 * pages they are plain forms with no script, under the same Content-Security-Policy.
 */

/** A plain page naming the OAuth error code; the description is escaped, nothing else is echoed. */
export async function renderProviderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string | undefined },
): Promise<void> {
  ctx.type = 'html';
  ctx.body = page(
    'Sign-in error',
    `<p><strong>${escapeHtml(out.error)}</strong></p>` +
      `<p>${escapeHtml(out.error_description ?? '')}</p>`,
  );
}

/**
 * Asks a signed-in person to confirm signing out. The form carries the provider's one-time
 * secret for this session, so a link or a cross-site form cannot sign anyone out by itself.
 * The provider's own form (its argument) is not used: the same fields are rendered here.
 */
export async function renderSignOut(ctx: KoaContextWithOIDC, _providerForm: string): Promise<void> {
  const secret = String(ctx.oidc.session?.state?.secret ?? '');
  const client = ctx.oidc.client?.clientId;
  const through =
    client === undefined ? '' : ` (you came from <strong>${escapeHtml(client)}</strong>)`;

  ctx.type = 'html';
  ctx.body = page(
    'Sign out of Footfall?',
    `<p>You are signed in to Footfall in this browser${through}.</p>` +
      buttonForm(
        ctx.oidc.urlFor('end_session_confirm'),
        { xsrf: secret },
        { label: 'Sign out', name: 'logout', value: 'yes' },
      ),
  );
}

/** The page after signing out when the client named nowhere to return to. */
export async function renderSignedOut(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = page(
    'Signed out',
    '<p>You have signed out of Footfall in this browser. You can close this window.</p>',
  );
}
