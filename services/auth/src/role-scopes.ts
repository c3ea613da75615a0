import { allPlatformAdminScopes } from './resource-servers.ts';
import type { UserRole } from './users.ts';

/** Scopes only platform admins may hold; each resource names its own (resource-servers.ts). */
const platformAdminScopes = new Set(allPlatformAdminScopes());

/** The requested scopes a person with this role may be granted. */
export function scopesAllowedForRole(role: UserRole, scopes: readonly string[]): string[] {
  if (role === 'platform-admin') return [...scopes];

  return scopes.filter((scope) => !platformAdminScopes.has(scope));
}
