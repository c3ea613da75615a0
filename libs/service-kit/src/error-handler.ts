import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from './errors.ts';
import { type HttpErrorCode, httpErrors } from './http-errors.ts';

/** What every error response looks like, whatever the service. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly statusCode: number;
  readonly details?: unknown;
}

export type ErrorReporter = (error: unknown, request: FastifyRequest) => void;

/** fastify's own client errors, translated into the kit's catalogue. */
const frameworkCodes: Readonly<Record<string, HttpErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'HTTP_INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'HTTP_INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'HTTP_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'HTTP_INVALID_CONTENT_LENGTH',
  FST_ERR_VALIDATION: 'HTTP_VALIDATION_FAILED',
};

/**
 * The one place where thrown things become responses. Known errors keep their code; anything
 * else is a bug, answered with a generic 500 whose detail goes only to the log and the reporter.
 */
export function installErrorHandler(
  app: FastifyInstance,
  options: { bodyLimit: number; report: ErrorReporter },
): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const appError = toAppError(error, request, options.bodyLimit);

    if (appError.statusCode >= 500) {
      request.log.error({ err: error, code: appError.code }, 'request failed');
      options.report(error, request);
    } else {
      request.log.info({ code: appError.code, statusCode: appError.statusCode }, 'request refused');
    }

    return sendError(app, reply, appError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    const error = httpErrors.create('HTTP_NOT_FOUND', { params: { method: request.method, path } });

    request.log.info({ code: error.code, statusCode: error.statusCode }, 'request refused');
    return sendError(app, reply, error);
  });
}

function sendError(app: FastifyInstance, reply: FastifyReply, error: AppError) {
  const body: ErrorBody = {
    code: error.code,
    message: error.message,
    statusCode: error.statusCode,
    ...(error.details === undefined ? {} : { details: error.details }),
  };

  app.countErrorResponse(error.code, error.statusCode);
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(body);
}

function toAppError(error: unknown, request: FastifyRequest, bodyLimit: number): AppError {
  if (error instanceof AppError) {
    return error;
  }

  if (error instanceof ZodError) {
    return validationError(error);
  }

  // JavaScript lets a handler throw anything; only Errors may carry a code or status we trust.
  if (!(error instanceof Error)) {
    return httpErrors.create('HTTP_INTERNAL', { cause: error });
  }

  return fromFrameworkError(error as Partial<FastifyError>, request, bodyLimit);
}

function fromFrameworkError(
  error: Partial<FastifyError>,
  request: FastifyRequest,
  bodyLimit: number,
): AppError {
  const code = error.code === undefined ? undefined : frameworkCodes[error.code];
  const status = error.statusCode ?? 500;

  if (code === 'HTTP_BODY_TOO_LARGE') {
    return httpErrors.create(code, { params: { limit: bodyLimit } });
  }

  if (code === 'HTTP_UNSUPPORTED_MEDIA_TYPE') {
    const contentType = request.headers['content-type'] ?? '(none)';
    return httpErrors.create(code, { params: { contentType: contentType.slice(0, 100) } });
  }

  if (code !== undefined) {
    return httpErrors.create(code, { cause: error });
  }

  if (status >= 400 && status < 500) {
    return httpErrors.create('HTTP_BAD_REQUEST', { cause: error });
  }

  return httpErrors.create('HTTP_INTERNAL', { cause: error });
}

/** Lists where a body failed and why, without echoing the submitted values back. */
function validationError(error: ZodError): AppError {
  const details = error.issues.map((issue) => ({
    path: issue.path.join('.'),
    problem: issue.message,
  }));

  return httpErrors.create('HTTP_VALIDATION_FAILED', { details, cause: error });
}
