import { authErrors } from './auth-errors.ts';

/** `Bearer` then the token; the scheme is case-insensitive (RFC 9110 section 11.1). */
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1). No header or
 * another scheme throws AUTH_TOKEN_MISSING; a bearer header whose token is malformed throws
 * AUTH_TOKEN_INVALID. For services that resolve tokens themselves (the auth service's opaque
 * ones); requireToken uses it too.
 */
export function bearerTokenOf(header: string | undefined): string {
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) {
    throw authErrors.create('AUTH_TOKEN_MISSING');
  }

  const token = bearerPattern.exec(header)?.[1];
  if (token === undefined) {
    throw authErrors.create('AUTH_TOKEN_INVALID');
  }

  return token;
}
