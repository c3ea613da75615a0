import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditEventType, AuditLog } from './audit-log.ts';

interface TokenLike {
  readonly clientId?: string | undefined;
  readonly accountId?: string | undefined;
}

/** Token kinds whose revocation is recorded; the event names are oidc-provider's. */
const revocableKinds = ['access_token', 'refresh_token', 'client_credentials'] as const;

/**
 * Turns the provider's own events into audit records: tokens issued at the token endpoint,
 * tokens revoked, and grants revoked, including the revocation that follows a reused refresh
 * token or authorization code (a sign of theft).
 */
export function auditProviderEvents(provider: Provider, audit: AuditLog): void {
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    audit.recordInBackground({
      event: 'token_issued',
      clientId: ctx.oidc.client?.clientId,
      userId: ctx.oidc.account?.accountId,
      detail: { grantType: String(ctx.oidc.params?.grant_type ?? 'unknown') },
    });
  });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    audit.recordInBackground({
      event: grantRevocationEvent(ctx),
      clientId: ctx.oidc.client?.clientId,
      detail: { grantId },
    });
  });

  // The typings list these events one literal at a time; the loop's template is the same names.
  const on = provider.on.bind(provider) as (
    event: string,
    listener: (token: TokenLike) => void,
  ) => void;
  for (const kind of revocableKinds) {
    on(`${kind}.destroyed`, (token: TokenLike) => {
      audit.recordInBackground({
        event: 'token_revoked',
        clientId: token.clientId,
        userId: token.accountId,
        detail: { kind },
      });
    });
  }
}

// At the token endpoint a grant is only revoked because a consumed credential came back.
function grantRevocationEvent(ctx: KoaContextWithOIDC): AuditEventType {
  if (ctx.oidc.route !== 'token') return 'grant_revoked';

  const grantType = ctx.oidc.params?.grant_type;
  if (grantType === 'refresh_token') return 'refresh_token_reused';
  if (grantType === 'authorization_code') return 'authorization_code_reused';
  return 'grant_revoked';
}
