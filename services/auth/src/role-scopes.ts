import type { UserRole } from './users.ts';

/**
 * Scopes only a platform admin may be granted when signing in, whatever the client could ask
 * for: a customer user's token never carries them, so no service has to remember to check.
 */
const platformAdminScopes = new Set(['customer:admin', 'ingestion:reingest', 'computation:read']);

/** The requested scopes a person with this role may be granted. */
export function scopesAllowedForRole(role: UserRole, scopes: readonly string[]): string[] {
  if (role === 'platform-admin') return [...scopes];

  return scopes.filter((scope) => !platformAdminScopes.has(scope));
}
