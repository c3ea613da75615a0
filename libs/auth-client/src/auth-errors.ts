import { defineErrors } from '@footfall/service-kit';

/**
 * Every error the auth client raises. The `AUTH_TOKEN_*`, `AUTH_SCOPE_*` and `AUTH_ROLE_*` codes
 * answer a caller whose token a protected route refused; the others reach a service whose own
 * token request failed, so they are 5xx: the caller of that service did nothing wrong.
 * docs/errors.md lists them all and a test keeps it in step.
 */
export const authErrors = defineErrors({
  AUTH_TOKEN_MISSING: {
    statusCode: 401,
    message: 'This endpoint needs a bearer access token in the Authorization header.',
  },
  AUTH_TOKEN_INVALID: {
    statusCode: 401,
    message: 'The access token is not valid for this service.',
  },
  AUTH_TOKEN_EXPIRED: {
    statusCode: 401,
    message: 'The access token has expired; obtain a new one.',
  },
  AUTH_SCOPE_MISSING: {
    statusCode: 403,
    message: 'The access token lacks a scope this endpoint needs: {scopes}.',
  },
  AUTH_ROLE_FORBIDDEN: {
    statusCode: 403,
    message: "The access token's role may not use this endpoint.",
  },
  AUTH_KEYS_UNAVAILABLE: {
    statusCode: 503,
    message: 'Access tokens cannot be verified right now.',
  },
  AUTH_CLIENT_REJECTED: {
    statusCode: 502,
    message: "The authorization server rejected this service's client credentials.",
  },
  AUTH_TOKEN_REQUEST_REFUSED: {
    statusCode: 502,
    message: "The authorization server refused this service's token request.",
  },
  AUTH_SERVER_UNAVAILABLE: {
    statusCode: 503,
    message: 'The authorization server could not be reached.',
  },
  AUTH_SERVER_RESPONSE_INVALID: {
    statusCode: 502,
    message: 'The authorization server answered with something other than a bearer token.',
  },
});

export type AuthErrorCode = keyof typeof authErrors.catalogue;
