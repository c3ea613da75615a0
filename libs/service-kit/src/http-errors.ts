import { defineErrors } from './errors.ts';

/**
 * Errors the service kit itself raises, shared by every service. Each service's own catalogue
 * adds codes with its own prefix; docs/errors.md lists them all and a test keeps it in step.
 * No message echoes what the client sent: the client knows it, and logs would copy it.
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
  HTTP_INVALID_CHARACTER: {
    statusCode: 400,
    message: 'The request carries a NUL character (U+0000), which no field accepts.',
  },
  HTTP_BAD_URL: {
    statusCode: 400,
    message: 'The URL is malformed, for example by a broken percent-encoding.',
  },
  HTTP_UNAUTHORIZED: { statusCode: 401, message: 'This request needs valid credentials.' },
  HTTP_FORBIDDEN: { statusCode: 403, message: 'This request is not allowed.' },
  HTTP_NOT_FOUND: { statusCode: 404, message: 'Nothing is found at this method and path.' },
  HTTP_REQUEST_TIMEOUT: { statusCode: 408, message: 'The request took too long to arrive.' },
  HTTP_BODY_TOO_LARGE: {
    statusCode: 413,
    message: 'The request body exceeds the limit of {limit} bytes.',
  },
  HTTP_URI_TOO_LONG: {
    statusCode: 414,
    message: 'A segment of the URL path is longer than this service accepts.',
  },
  HTTP_UNSUPPORTED_MEDIA_TYPE: {
    statusCode: 415,
    message: 'This Content-Type is not accepted here; send application/json.',
  },
  HTTP_TOO_MANY_REQUESTS: { statusCode: 429, message: 'Too many requests; retry later.' },
  HTTP_HEADERS_TOO_LARGE: { statusCode: 431, message: 'The request headers are too large.' },
  HTTP_INTERNAL: { statusCode: 500, message: 'An internal error occurred.' },
  HTTP_NOT_READY: {
    statusCode: 503,
    message: 'The service is not ready to serve requests.',
  },
  HTTP_SHUTTING_DOWN: {
    statusCode: 503,
    message: 'This instance is shutting down; retry the request.',
  },
});

export type HttpErrorCode = keyof typeof httpErrors.catalogue;

/**
 * The generic code for a client error known only by its status, as plugins and libraries throw
 * them (`statusCode` or `status` on an Error). Other 4xx statuses become HTTP_BAD_REQUEST.
 */
export const codesByClientStatus: Readonly<Partial<Record<number, HttpErrorCode>>> = {
  400: 'HTTP_BAD_REQUEST',
  401: 'HTTP_UNAUTHORIZED',
  403: 'HTTP_FORBIDDEN',
  404: 'HTTP_NOT_FOUND',
  408: 'HTTP_REQUEST_TIMEOUT',
  413: 'HTTP_BODY_TOO_LARGE',
  414: 'HTTP_URI_TOO_LONG',
  415: 'HTTP_UNSUPPORTED_MEDIA_TYPE',
  429: 'HTTP_TOO_MANY_REQUESTS',
  431: 'HTTP_HEADERS_TOO_LARGE',
};
