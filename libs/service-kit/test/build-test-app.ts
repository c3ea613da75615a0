import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError, createService } from '../src/index.ts';
import { LogCapture } from './log-capture.ts';
import { testConfig } from './test-config.ts';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly logs: LogCapture;
  /** Lets every request to /held finish. */
  readonly release: () => void;
}

const orderSchema = z.object({ storeId: z.string().min(1), count: z.number().int() });

/**
 * A kit-built app with a few routes that exercise the shared behaviour: a JSON route validated
 * with zod, a route that logs what a careless handler might, and one that fails unexpectedly.
 */
export async function buildTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const logs = new LogCapture();
  const app = await createService({
    name: 'kit-test',
    config: testConfig(env),
    logDestination: logs,
  });

  app.post('/orders', async (request) => {
    const order = orderSchema.parse(request.body);
    return { accepted: order.count };
  });

  app.post('/careless', async (request) => {
    request.log.info({ headers: request.headers, body: request.body }, 'careless handler');
    return { ok: true };
  });

  app.get('/boom', async () => {
    throw new Error('database password is hunter2-secret');
  });

  // JavaScript lets anything be thrown; a handler that throws a non-Error is still a bug.
  const thrownValues: Record<string, unknown> = {
    null: null,
    undefined,
    string: 'raw string thrown',
    number: 42,
    object: { statusCode: 404, message: 'plain object thrown' },
  };
  app.get<{ Params: { kind: string } }>('/throw/:kind', async (request) => {
    throw thrownValues[request.params.kind];
  });

  // What plugins and HTTP libraries throw: an Error that carries only a status.
  app.get<{ Params: { status: string } }>('/status/:status', async (request) => {
    throw Object.assign(new Error('status detail from a library'), {
      statusCode: Number(request.params.status),
    });
  });

  app.get('/upstream', async () => {
    const definition = { statusCode: 502, message: 'upstream said {detail}' };
    throw new AppError('KIT_UPSTREAM_FAILED', definition, {
      params: { detail: 'upstream-secret-detail' },
    });
  });

  app.post('/small', { bodyLimit: 1024 }, async () => ({ ok: true }));

  // Hold a request in flight, for shutdown tests: until the test releases it, or for a while.
  const { promise: held, resolve: release } = Promise.withResolvers<void>();
  app.get('/held', async (request) => {
    request.log.info({}, 'held request started');
    await held;
    return { finished: true };
  });

  app.get<{ Querystring: { ms?: string } }>('/slow', async (request) => {
    await sleep(Number(request.query.ms ?? 300));
    return { finished: true };
  });

  app.get('/whoami', async (request) => ({ ip: request.ip, protocol: request.protocol }));

  // Like auth's reset link: a secret travels in the path.
  app.get('/password/:token', async () => ({ ok: true }));

  await app.ready();
  return { app, logs, release: () => release() };
}
