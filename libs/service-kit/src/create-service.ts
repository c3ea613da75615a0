import helmet from '@fastify/helmet';
import { type FastifyBaseLogger, type FastifyInstance, fastify } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './base-config.ts';
import { answerClientError } from './client-errors.ts';
import { answerError, installErrorHandler, sendRefusal } from './error-handler.ts';
import { flushErrorReporting, reportError, startErrorReporting } from './error-reporting.ts';
import { installGracefulShutdown } from './graceful-shutdown.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { httpErrors } from './http-errors.ts';
import { createLogger } from './logger.ts';
import { createMetricsRegistry, instrumentRequests, registerMetricsRoute } from './metrics.ts';
import { refuseNulCharacters } from './nul-characters.ts';
import { Readiness, type ReadinessCheck } from './readiness.ts';
import { chooseRequestId, requestIdHeader } from './request-id.ts';
import { RequestLog } from './request-log.ts';

export interface ServiceOptions {
  /** The service's name as it appears in logs, metrics and error reports. */
  readonly name: string;
  readonly config: BaseConfig;
  /** Where log lines go; tests pass a stream to read them. Defaults to stdout. */
  readonly logDestination?: DestinationStream;
  /** What the service needs to serve (databases, brokers): probed by /readyz, closed last. */
  readonly dependencies?: Readonly<Record<string, Dependency>>;
}

/** Something a service depends on: how to tell it answers, and how to let it go. */
export interface Dependency {
  readonly check: ReadinessCheck;
  readonly close: () => Promise<void>;
}

/**
 * How often Node looks for requests past REQUEST_TIMEOUT_MS. Its default, 30 s, would let a
 * request run up to 30 s over any timeout; a tenth of the timeout keeps the overrun small while
 * the sweep stays rare (3 s at the default timeout).
 */
function timeoutCheckIntervalMs(requestTimeoutMs: number): number {
  return Math.ceil(requestTimeoutMs / 10);
}

/**
 * Builds a service's fastify app with everything every service shares: JSON logs with request
 * ids and redaction, security headers, a body limit, coded errors, metrics, health and
 * readiness. The service then adds its routes and readiness checks, and calls startService.
 */
export async function createService(options: ServiceOptions): Promise<FastifyInstance> {
  const { config, name } = options;
  const logger = createLogger({
    service: name,
    version: config.SERVICE_VERSION,
    level: config.LOG_LEVEL,
    destination: options.logDestination,
  });

  const app = fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: chooseRequestId,
    logController: new RequestLog(),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: {
      // Node's own headers timeout (60 s) would otherwise cut a longer REQUEST_TIMEOUT_MS short.
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: timeoutCheckIntervalMs(config.REQUEST_TIMEOUT_MS),
    },
    trustProxy: config.TRUST_PROXY,
    // URLs the router refuses and bytes Node's parser refuses would otherwise get fastify's
    // uncoded bodies, which echo the path, without a request id, a log line or a metric.
    frameworkErrors: (error, request, reply) => {
      reply.header(requestIdHeader, request.id);
      return answerError(error, request, reply, reportError);
    },
    clientErrorHandler: answerClientError,
    // fastify's own 503 while closing has no code; the kit's onRequest hook sends a coded one.
    return503OnClosing: false,
  });

  decorate(app, name, config);
  await installCommonBehaviour(app);
  registerDependencies(app, options.dependencies ?? {});
  return app;
}

function registerDependencies(app: FastifyInstance, dependencies: Record<string, Dependency>) {
  for (const [name, dependency] of Object.entries(dependencies)) {
    addDependency(app, name, dependency);
  }
}

/** A dependency made once the app exists (one that needs its log or metrics): as in options. */
export function addDependency(app: FastifyInstance, name: string, dependency: Dependency): void {
  app.readiness.register(name, dependency.check);
  app.addHook('onClose', dependency.close);
}

function decorate(app: FastifyInstance, name: string, config: BaseConfig) {
  const metrics = createMetricsRegistry(name);

  app.decorate('serviceName', name);
  app.decorate(
    'readiness',
    new Readiness({ timeoutMs: config.READINESS_TIMEOUT_MS, log: app.log }),
  );
  app.decorate('metrics', metrics);
  startErrorReporting({
    dsn: config.SENTRY_DSN,
    service: name,
    environment: config.SENTRY_ENVIRONMENT,
    release: config.SERVICE_VERSION,
  });
}

async function installCommonBehaviour(app: FastifyInstance) {
  await app.register(helmet);

  // Only JSON is accepted unless a service registers another parser; text/plain would let a
  // malformed body through as a string.
  app.removeContentTypeParser('text/plain');

  // One hook for both, since every hook costs every request. Requests still arriving once the
  // app is closing (pipelined, or on a busy keep-alive socket) get a coded 503 before any parsing
  // or handler runs, and fastify closes their connection, so clients retry on another replica.
  const closing = trackClosing(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(requestIdHeader, request.id);

    if (closing()) {
      return sendRefusal(request, reply, httpErrors.create('HTTP_SHUTTING_DOWN'));
    }
  });

  // While draining, ask keep-alive clients to hang up after this response; otherwise an idle
  // kept-alive socket would hold the server open until the shutdown deadline.
  app.addHook('onSend', async (_request, reply) => {
    if (app.readiness.draining) {
      reply.header('connection', 'close');
    }
  });

  refuseNulCharacters(app);
  instrumentRequests(app, app.metrics);
  installErrorHandler(app, reportError);
  registerHealthRoutes(app, app.readiness);
  registerMetricsRoute(app, app.metrics);
}

/** Whether the app has begun to close (its preClose hooks ran). */
function trackClosing(app: FastifyInstance): () => boolean {
  let closing = false;

  app.addHook('preClose', async () => {
    closing = true;
  });

  return () => closing;
}

/**
 * Listens on the configured address and installs graceful shutdown on SIGTERM and SIGINT.
 * Returns the address the server is reachable at.
 */
export async function startService(app: FastifyInstance, config: BaseConfig): Promise<string> {
  installGracefulShutdown(app, {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    preCloseDelayMs: config.SHUTDOWN_DELAY_MS,
    afterClose: () => flushErrorReporting(2_000),
  });

  // fastify logs "Server listening at <address>" itself, once per bound address.
  return app.listen({ host: config.HOST, port: config.PORT });
}

declare module 'fastify' {
  interface FastifyInstance {
    serviceName: string;
    readiness: Readiness;
    metrics: Registry;
  }
}
