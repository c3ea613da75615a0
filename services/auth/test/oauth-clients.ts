import * as client from 'openid-client';
import type { ServiceClientId } from '../src/clients.ts';
import type { AuthServer } from './auth-server.ts';

/** Plain HTTP is only allowed because the test server listens on loopback. */
const loopbackOptions = { execute: [client.allowInsecureRequests] };

/** An openid-client configuration for one of the service clients, authenticating with its secret. */
export function discoverServiceClient(
  server: AuthServer,
  id: string,
  secret = secretOf(server, id),
): Promise<client.Configuration> {
  return client.discovery(
    new URL(server.issuer),
    id,
    undefined,
    client.ClientSecretPost(secret),
    loopbackOptions,
  );
}

/** An openid-client configuration for a client that does not authenticate (public). */
export function discoverPublicClient(
  server: AuthServer,
  id: string,
): Promise<client.Configuration> {
  return client.discovery(new URL(server.issuer), id, undefined, client.None(), loopbackOptions);
}

/** The secret startAuthServer generated for a service client. */
export function secretOf(server: AuthServer, id: string): string {
  const found = server.clients.find((candidate) => candidate.id === id);
  if (found === undefined) throw new TypeError(`no service client ${id}`);

  return found.secret;
}

/** The OAuth `error` code of a rejected openid-client call, for asserting codes not messages. */
export async function oauthErrorOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return error.error;
    throw error;
  }

  throw new Error('expected the call to be refused');
}

/** Settled token requests split into the tokens issued and the OAuth `error` codes refused. */
export async function outcomesOf<T>(results: readonly PromiseSettledResult<T>[]) {
  const issued = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const refused = await Promise.all(
    results.flatMap((result) =>
      result.status === 'rejected' ? [oauthErrorOf(Promise.reject(result.reason))] : [],
    ),
  );

  return { issued, refused };
}

/** Every service client's secret, keyed by id: what a second replica must be started with. */
export function secretsOf(server: AuthServer): Record<ServiceClientId, string> {
  const entries = server.clients.map((found) => [found.id, found.secret]);

  return Object.fromEntries(entries) as Record<ServiceClientId, string>;
}
