import { resourceServers } from './resource-servers.ts';

/** What the OpenID scopes mean to the person asked to consent. */
const openIdScopes: Readonly<Record<string, string>> = {
  openid: 'know who you are (your account id and role)',
  offline_access: 'stay signed in until you sign out or the access is revoked',
};

/** A person-readable description of a scope, for the consent page. */
export function describeScope(scope: string): string {
  const fromResource = resourceServers.find((server) => scope in server.scopes)?.scopes[scope];

  return openIdScopes[scope] ?? fromResource ?? scope;
}
