import type { ServiceClientId } from '@footfall/contracts';
import * as client from 'openid-client';
import type { AuthServer } from './auth-server.ts';

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
