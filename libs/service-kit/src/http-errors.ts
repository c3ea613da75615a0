import { defineErrors } from './errors.ts';

/**
 * Errors the service kit itself raises, shared by every service. Each service's own catalogue
 * adds codes with its own prefix; docs/errors.md lists them all and a test keeps it in step.
 */
export const httpErrors = defineErrors({
  HTTP_INVALID_JSON: { statusCode: 400, message: 'The request body is not valid JSON.' },
  HTTP_INVALID_CONTENT_LENGTH: {
    statusCode: 400,
    message: 'The Content-Length header does not match the request body.',
  },
  HTTP_VALIDATION_FAILED: {
    statusCode: 400,
    message: 'The request does not match the expected shape; see details.',
  },
  HTTP_BAD_REQUEST: { statusCode: 400, message: 'The request could not be understood.' },
  HTTP_NOT_FOUND: { statusCode: 404, message: 'No route matches {method} {path}.' },
  HTTP_BODY_TOO_LARGE: {
    statusCode: 413,
    message: 'The request body exceeds the limit of {limit} bytes.',
  },
  HTTP_UNSUPPORTED_MEDIA_TYPE: {
    statusCode: 415,
    message: 'Content-Type {contentType} is not accepted here; send application/json.',
  },
  HTTP_INTERNAL: { statusCode: 500, message: 'An internal error occurred.' },
  HTTP_NOT_READY: {
    statusCode: 503,
    message: 'The service is not ready to serve requests.',
  },
});

export type HttpErrorCode = keyof typeof httpErrors.catalogue;
