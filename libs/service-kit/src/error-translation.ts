import type { FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from './errors.ts';
import { codesByClientStatus, type HttpErrorCode, httpErrors } from './http-errors.ts';

/** fastify's own client errors, translated into the kit's catalogue. */
const frameworkCodes: Readonly<Record<string, HttpErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'HTTP_INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'HTTP_INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'HTTP_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'HTTP_INVALID_CONTENT_LENGTH',
  FST_ERR_VALIDATION: 'HTTP_VALIDATION_FAILED',
  FST_ERR_BAD_URL: 'HTTP_BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'HTTP_URI_TOO_LONG',
};

/**
 * What a thrown value means to the client. Known errors keep their code, client errors known
 * only by a status keep that status under a generic code, and anything else is a bug: the
 * generic 500, with the thrown value kept as the cause for the log and the reporter.
 */
export function toAppError(error: unknown, request: FastifyRequest): AppError {
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

  const code = frameworkCode(error) ?? clientStatusCode(error);
  return createKitError(code ?? 'HTTP_INTERNAL', request, error);
}

function frameworkCode(error: Error): HttpErrorCode | undefined {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? frameworkCodes[code] : undefined;
}

function clientStatusCode(error: Error): HttpErrorCode | undefined {
  const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
  const value = statusCode ?? status;

  if (typeof value !== 'number' || value < 400 || value > 499) {
    return undefined;
  }

  return codesByClientStatus[value] ?? 'HTTP_BAD_REQUEST';
}

/** The kit's error for this code, with the parameters the code's message needs. */
function createKitError(code: HttpErrorCode, request: FastifyRequest, cause?: unknown) {
  if (code === 'HTTP_BODY_TOO_LARGE') {
    // A route may set its own bodyLimit; fastify reports the route's or else the server's.
    const limit = request.routeOptions.bodyLimit;
    return httpErrors.create(code, { params: { limit }, cause });
  }

  return httpErrors.create(code, { cause });
}

/** Lists where a body failed and why, without echoing the submitted values back. */
function validationError(error: ZodError): AppError {
  const details = error.issues.map((issue) => ({
    path: issue.path.join('.'),
    problem: issue.message,
  }));

  return httpErrors.create('HTTP_VALIDATION_FAILED', { details, cause: error });
}
