import { describe, expect, it } from 'vitest';
import { allResourceScopes, resourceServers } from '../src/resource-servers.ts';
import { scopesAllowedForRole } from '../src/role-scopes.ts';

describe('scopes by role', () => {
  it('withholds from a customer user the scopes docs/auth.md reserves for platform admins', () => {
    const withheld = allResourceScopes().filter(
      (scope) => scopesAllowedForRole('customer-user', [scope]).length === 0,
    );

    expect(withheld).toEqual(['customer:admin', 'ingestion:reingest', 'computation:read']);
  });

  it('gives a platform admin every scope asked for', () => {
    expect(scopesAllowedForRole('platform-admin', allResourceScopes())).toEqual(
      allResourceScopes(),
    );
  });

  it('reserves only scopes that the same resource defines', () => {
    for (const server of resourceServers) {
      const defined = Object.keys(server.scopes);

      expect(defined, server.resource).toEqual(
        expect.arrayContaining([...server.platformAdminScopes]),
      );
    }
  });
});
