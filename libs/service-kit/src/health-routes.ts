import type { FastifyInstance } from 'fastify';
import { httpErrors } from './http-errors.ts';
import type { Readiness } from './readiness.ts';

/**
 * `/healthz` answers while the process can run JavaScript (the liveness probe); `/readyz` answers
 * 200 only when every registered dependency answers and the service is not draining.
 */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const report = await readiness.probe();

    if (report.ready) {
      return { status: 'ready', checks: report.checks };
    }

    const definition = httpErrors.catalogue.HTTP_NOT_READY;
    reply.code(definition.statusCode);
    return {
      code: 'HTTP_NOT_READY',
      message: definition.message,
      statusCode: definition.statusCode,
      draining: readiness.draining,
      checks: report.checks,
    };
  });
}
