import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from './error-translation.ts';
import type { AppError } from './errors.ts';
import { httpErrors } from './http-errors.ts';

/** What every error response looks like, whatever the service. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly statusCode: number;
  readonly details?: unknown;
}

export type ErrorReporter = (error: unknown, request: FastifyRequest) => void;

/**
 * The one place where thrown things become responses: every error, unknown routes included,
 * leaves as a coded body, a log line and a metric.
 */
export function installErrorHandler(app: FastifyInstance, report: ErrorReporter): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    return answerError(error, request, reply, report);
  });

  app.setNotFoundHandler((request, reply) => {
    return sendRefusal(request, reply, httpErrors.create('HTTP_NOT_FOUND'));
  });
}

/** A 5xx is logged at error with its cause and reported; a 4xx is logged at info by code. */
export function answerError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  report: ErrorReporter,
) {
  const appError = toAppError(error, request);

  if (appError.statusCode < 500) {
    return sendRefusal(request, reply, appError);
  }

  request.log.error({ err: error, code: appError.code }, 'request failed');
  report(error, request);
  return sendError(request, reply, appError);
}

/** Answers a request the service refuses by design: logged at info by code, never reported. */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  request.log.info({ code: error.code, statusCode: error.statusCode }, 'request refused');
  return sendError(request, reply, error);
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const body: ErrorBody = {
    code: error.code,
    message: error.publicMessage,
    statusCode: error.statusCode,
    ...(error.details === undefined ? {} : { details: error.details }),
  };

  request.server.countErrorResponse(error.code, error.statusCode);
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(body);
}
