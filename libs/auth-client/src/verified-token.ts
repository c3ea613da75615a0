import type { JWTPayload } from 'jose';

/** What a protected route knows about its caller once the access token has been verified. */
export interface VerifiedToken {
  /** `sub`: the user, or the calling service's client id for client-credentials tokens. */
  readonly subject: string;
  /** `client_id`: the OAuth client the token was issued to. */
  readonly clientId: string;
  /** `scope`, split on spaces. */
  readonly scopes: readonly string[];
  /**
   * `role`, when the authorization server granted one: `platform-admin` or `customer-user` for
   * people, absent for services.
   */
  readonly role: string | undefined;
  /** `customer_id`, when the token acts for one customer's users. */
  readonly customerId: string | undefined;
  readonly expiresAt: Date;
  /** Every claim as verified, for anything the fields above do not cover. */
  readonly claims: Readonly<JWTPayload>;
}

/**
 * Reads the claims jose has already verified. A claim of the wrong type makes the whole token
 * invalid rather than silently absent, so returns undefined and lets the caller refuse it.
 */
export function toVerifiedToken(claims: JWTPayload): VerifiedToken | undefined {
  const { sub, client_id: clientId, scope, role, customer_id: customerId, exp } = claims;

  const wellTyped =
    typeof sub === 'string' &&
    typeof clientId === 'string' &&
    typeof exp === 'number' &&
    isOptionalString(scope) &&
    isOptionalString(role) &&
    isOptionalString(customerId);

  if (!wellTyped) {
    return undefined;
  }

  return Object.freeze({
    subject: sub,
    clientId,
    scopes: Object.freeze(scope === undefined ? [] : scope.split(' ').filter(Boolean)),
    role,
    customerId,
    expiresAt: new Date(exp * 1000),
    claims: Object.freeze({ ...claims }),
  });
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}
