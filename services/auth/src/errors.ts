import { defineErrors } from '@footfall/service-kit';

/**
 * The auth service's own coded errors; docs/errors.md lists them. OAuth endpoints under the
 * issuer answer with the protocol's errors (RFC 6749 `error` codes) instead.
 */
export const authErrors = defineErrors({
  AUTH_LOGIN_NOT_AVAILABLE: {
    statusCode: 501,
    message:
      'Interactive sign-in is not available yet; services use client credentials in the meantime',
  },
});
