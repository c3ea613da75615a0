import type { ServerResponse } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import type { ServiceApp } from '@footfall/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { ClientRequestCounts } from './client-request-counts.ts';

export interface TokenRateLimitSettings {
  /** Requests per window from one client address (an IPv6 address by its /64). */
  readonly perAddress: number;
  /** Requests per window that one registered client authenticated, from any address. */
  readonly perClient: number;
  readonly windowSeconds: number;
}

type Limit = 'address' | 'client';

type TokenRequestCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The client oidc-provider authenticated for a response once it answered, if any. */
export type AuthenticatedClientOf = (response: ServerResponse) => string | undefined;

/**
 * A preHandler for the token, introspection and revocation endpoints: refuses a request over
 * either limit with 429, `Retry-After` and an OAuth error body, logs and counts it. The counts
 * are this replica's (in memory), so N replicas behind a balancer allow about N times the limits.
 * Every request counts against its address. Against a client it counts only if the provider
 * authenticated that client: naming a client, or a wrong secret, must not lock the real one out.
 * An unknown client id counts against the address only.
 */
export async function checkTokenRequests(
  scope: ServiceApp,
  settings: TokenRateLimitSettings,
  clientIds: readonly string[],
  authenticatedClientOf: AuthenticatedClientOf,
): Promise<TokenRequestCheck> {
  await scope.register(rateLimit, { global: false });
  const timeWindow = settings.windowSeconds * 1000;
  const byAddress = scope.createRateLimit({ max: settings.perAddress, timeWindow });
  const byClient = new ClientRequestCounts(settings.perClient, settings.windowSeconds);
  const refused = refusalCounter(scope);

  return async (request, reply) => {
    const clientId = namedClient(request, clientIds);
    const refuseOver = (limit: Limit, retryAfterSeconds: number) => {
      refused.inc({ limit });
      request.log.warn({ limit, clientId }, 'token rate limit');
      return refuse(reply, retryAfterSeconds);
    };

    const address = await byAddress(request);
    if (!address.isAllowed && address.isExceeded)
      return refuseOver('address', address.ttlInSeconds);
    if (clientId === undefined) return;

    const client = byClient.take(clientId);
    if (!client.taken) return refuseOver('client', client.retryAfterSeconds);
    reply.raw.once('close', () => {
      if (authenticatedClientOf(reply.raw) !== clientId) client.giveBack();
    });
  };
}

// The client id a request names: in its form body (client_secret_post, public clients) or as
// the user of HTTP Basic authentication. Only registered ids count.
function namedClient(request: FastifyRequest, clientIds: readonly string[]): string | undefined {
  const form = Buffer.isBuffer(request.body) ? new URLSearchParams(request.body.toString()) : null;
  const named = form?.get('client_id') ?? basicUser(request.headers.authorization);

  return named !== null && named !== undefined && clientIds.includes(named) ? named : undefined;
}

function basicUser(header: string | undefined): string | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;

  const decoded = Buffer.from(header.slice('basic '.length), 'base64').toString();
  const user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
  try {
    return decodeURIComponent(user.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

// OAuth has no code of its own for rate limiting; temporarily_unavailable (RFC 6749 4.1.2.1)
// tells a client to come back later, which is what Retry-After says when.
function refuse(reply: FastifyReply, retryAfterSeconds: number) {
  const seconds = Math.max(1, retryAfterSeconds);

  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .header('cache-control', 'no-store')
    .send({
      error: 'temporarily_unavailable',
      error_description: `too many requests; retry in ${seconds} s`,
    });
}

function refusalCounter(scope: ServiceApp): Counter<'limit'> {
  const counter = new Counter({
    name: 'auth_token_requests_limited_total',
    help: 'Requests to the token, introspection and revocation endpoints refused by a rate limit.',
    labelNames: ['limit'],
    registers: [scope.metrics],
  });
  for (const limit of ['address', 'client'] as const) counter.inc({ limit }, 0);

  return counter;
}
