import type { FastifyRequest } from 'fastify';

/**
 * How logs, metrics and error reports name a request's route: the pattern that matched
 * (`/v1/stores/:id`), never the raw path, which can carry identifiers and tokens and would make
 * metric labels unbounded.
 */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? '(unmatched)';
}
