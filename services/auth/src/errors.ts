import { defineErrors } from '@footfall/service-kit';

/**
 * The auth service's own coded errors; docs/errors.md lists them. OAuth endpoints under the
 * issuer answer with the protocol's errors (RFC 6749 `error` codes) instead. The page errors are
 * shown on the sign-in and password pages, as HTML, with the same codes and statuses.
 */
export const authErrors = defineErrors({
  AUTH_INTERACTION_EXPIRED: {
    statusCode: 400,
    message: 'This sign-in has expired or belongs to another browser; start again from the app',
  },
  AUTH_FORM_REJECTED: {
    statusCode: 403,
    message: 'The form could not be accepted; reload the page and try again',
  },
  AUTH_LINK_INVALID: {
    statusCode: 400,
    message: 'This link is not valid: it was used already, it expired, or it was mistyped',
  },
  AUTH_PASSWORD_TOO_SHORT: {
    statusCode: 400,
    message: 'Choose a password of at least {min} characters; a few unrelated words work well',
  },
  AUTH_PASSWORD_TOO_LONG: {
    statusCode: 400,
    message: 'Choose a password of at most {max} characters',
  },
  AUTH_PASSWORDS_DIFFER: {
    statusCode: 400,
    message: 'The two passwords are not the same',
  },
  AUTH_USER_EXISTS: {
    statusCode: 409,
    message: 'A user with this email already exists',
  },
  AUTH_USER_NOT_FOUND: {
    statusCode: 404,
    message: 'No user has this id',
  },
  AUTH_USER_DISABLED: {
    statusCode: 409,
    message: 'The user is disabled',
  },
  AUTH_ADMIN_NOT_MANAGED: {
    statusCode: 403,
    message: 'Platform admins are not managed through this API',
  },
  AUTH_MAIL_REJECTED: {
    statusCode: 502,
    message: 'The mail server refused the message; no link was issued',
  },
  AUTH_MAIL_UNAVAILABLE: {
    statusCode: 503,
    message: 'The mail could not be sent right now; no link was issued, try again later',
  },
});

export type AuthErrorCode = keyof typeof authErrors.catalogue;
