import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { routeLabel } from './route-label.ts';

/**
 * A registry per app rather than prom-client's global one, so two apps in one process (as in
 * tests) never share or double-register metrics.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Times every request by route pattern and status, and counts coded errors. The route is the
 * pattern (`/v1/stores/:id`), never the raw URL, so label cardinality stays bounded.
 */
export function instrumentRequests(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending the response, in seconds.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const errors = new Counter({
    name: 'http_errors_total',
    help: 'Error responses sent, by error code.',
    labelNames: ['code', 'status_code'] as const,
    registers: [registry],
  });

  app.decorate('countErrorResponse', (code: string, statusCode: number) => {
    errors.inc({ code, status_code: String(statusCode) });
  });

  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: routeLabel(request),
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}

/** Serves the registry in the Prometheus text format. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    countErrorResponse(code: string, statusCode: number): void;
  }
}
