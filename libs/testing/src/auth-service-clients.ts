/**
 * openid-client configurations for the auth service's clients, found through its discovery
 * document: a service client with its secret, or a public one such as the footfall CLI.
 */
import * as oauth from 'openid-client';
import type { AuthServiceProcess } from './auth-service-process.ts';

type AuthService = Pick<AuthServiceProcess, 'issuer' | 'clients'>;

/** Plain HTTP is allowed only because the test service listens on loopback. */
const loopback = { execute: [oauth.allowInsecureRequests] };

/**
 * A service client that authenticates with `client_secret_post`: the secret the service was
 * started with, or `secret` instead (e.g. a wrong one, to be refused).
 */
export function discoverServiceClient(
  auth: AuthService,
  clientId: string,
  secret = secretOf(auth, clientId),
): Promise<oauth.Configuration> {
  const authentication = oauth.ClientSecretPost(secret);

  return oauth.discovery(new URL(auth.issuer), clientId, undefined, authentication, loopback);
}

/** A client that does not authenticate (a public one, such as `footfall-cli`). */
export function discoverPublicClient(
  auth: Pick<AuthService, 'issuer'>,
  clientId: string,
): Promise<oauth.Configuration> {
  return oauth.discovery(new URL(auth.issuer), clientId, undefined, oauth.None(), loopback);
}

/** The secret a service client was started with. */
export function secretOf(auth: Pick<AuthService, 'clients'>, clientId: string): string {
  const found = auth.clients.find((candidate) => candidate.id === clientId);
  if (found === undefined) throw new TypeError(`no service client ${clientId}`);

  return found.secret;
}
