import { AppError } from '@footfall/service-kit';
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { authErrors } from './auth-errors.ts';
import { toVerifiedToken, type VerifiedToken } from './verified-token.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** Asymmetric signatures only: never `none`, never HS* (a public key must not become a secret). */
export const allowedAlgorithms = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] as const;

/** What Footfall's auth service signs access tokens with; nothing else is accepted by default. */
const defaultAlgorithms = ['ES256'] as const;

export type AllowedAlgorithm = (typeof allowedAlgorithms)[number];

export interface TokenVerifierOptions {
  /** The authorization server's issuer identifier; the `iss` claim must equal it exactly. */
  readonly issuer: string;
  /** Where the authorization server publishes its public keys. */
  readonly jwksUrl: string | URL;
  /** This service's resource identifier; the token's `aud` must be exactly this string. */
  readonly audience: string;
  /** A subset of allowedAlgorithms. @default ['ES256'], as the auth service signs */
  readonly algorithms?: readonly AllowedAlgorithm[];
  /** Allowed clock skew for `exp`, `nbf` and `iat`. @default 5 */
  readonly clockToleranceSeconds?: number;
  /**
   * The oldest a token may be, by its `iat`, and the longest it may claim to live (`exp - iat`):
   * a token issued for a year is refused outright. @default 600, twice the auth service's 300 s
   */
  readonly maxTokenAgeSeconds?: number;
  /** How long after a key-set fetch an unknown `kid` waits before fetching again. @default 30000 */
  readonly jwksCooldownMs?: number;
  /** How long a fetched key set is used before it is fetched again. @default 600000 */
  readonly jwksCacheMaxAgeMs?: number;
  /** @default 5000 */
  readonly jwksTimeoutMs?: number;
  /**
   * How many verified tokens to remember, so a reused token is not verified again until it
   * expires; 0 verifies every request. @default 1000
   */
  readonly verifiedTokenCacheSize?: number;
  /** Milliseconds since the epoch; tests pass their own clock. @default Date.now */
  readonly clock?: () => number;
}

/** Verifies bearer access tokens for one audience. */
export interface TokenVerifier {
  readonly audience: string;
  /** Resolves with the verified claims, or rejects with a coded AppError. */
  verify(token: string): Promise<VerifiedToken>;
}

/** RFC 9068 access tokens say so in their header, which keeps ID tokens out. */
const accessTokenType = 'at+jwt';

/** Claims a token is refused without, beyond what issuer, audience and age checks require. */
const requiredClaims = ['exp', 'sub', 'client_id'];

/** Builds a verifier whose key set is fetched on first use, cached, and refetched on a new kid. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const algorithms = checkAlgorithms(options.algorithms ?? defaultAlgorithms);
  const keys = fetchKeysOrUnavailable(
    createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    }),
  );
  const toleranceSeconds = options.clockToleranceSeconds ?? 5;
  const maxAgeSeconds = checkMaxTokenAge(options.maxTokenAgeSeconds ?? 600);
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...algorithms],
    clockTolerance: toleranceSeconds,
    // jose then requires `iat`, and refuses it in the future or older than this.
    maxTokenAge: maxAgeSeconds,
    typ: accessTokenType,
    requiredClaims,
  };
  const clock = options.clock ?? Date.now;
  const cache = new VerifiedTokenCache(options.verifiedTokenCacheSize ?? 1000);

  async function verify(token: string): Promise<VerifiedToken> {
    const now = clock();
    const cached = cache.get(token, now, toleranceSeconds * 1000);
    if (cached !== undefined) {
      return cached;
    }

    const currentDate = new Date(now);
    const { payload } = await jwtVerify(token, keys, { ...verifyOptions, currentDate }).catch(
      toAuthError,
    );
    const verified = toVerifiedToken(payload);

    if (
      verified === undefined ||
      !isOneAudienceShortLived(payload, options.audience, maxAgeSeconds)
    ) {
      throw authErrors.create('AUTH_TOKEN_INVALID');
    }

    cache.set(token, verified);
    return verified;
  }

  return Object.freeze({ audience: options.audience, verify });
}

function checkAlgorithms(algorithms: readonly string[]): readonly string[] {
  const allowed: readonly string[] = allowedAlgorithms;

  for (const algorithm of algorithms) {
    if (!allowed.includes(algorithm)) {
      throw new TypeError(`algorithm ${algorithm} is not an allowed asymmetric algorithm`);
    }
  }

  if (algorithms.length === 0) {
    throw new TypeError('at least one algorithm must be allowed');
  }

  return algorithms;
}

function checkMaxTokenAge(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new TypeError(`maxTokenAgeSeconds must be a positive number of seconds, not ${seconds}`);
  }

  return seconds;
}

/**
 * jose accepts an `aud` array that merely includes this audience; a Footfall token names exactly
 * one, as a string, so anything else is not one of ours (T2). A token claiming to live longer than
 * the maximum age is refused too: it would otherwise be remembered in the cache until its `exp`.
 */
function isOneAudienceShortLived(payload: JWTPayload, audience: string, maxAge: number): boolean {
  const lifetime = (payload.exp ?? Number.POSITIVE_INFINITY) - (payload.iat ?? 0);

  return payload.aud === audience && lifetime <= maxAge;
}

/**
 * A key set that cannot be fetched is our outage, not the caller's bad token: it must surface
 * as 503, not 401, so callers retry instead of discarding a good token. A kid that is not in a
 * freshly fetched set is the caller's problem and stays a jose error.
 */
function fetchKeysOrUnavailable(remote: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys
      ) {
        throw error;
      }

      throw authErrors.create('AUTH_KEYS_UNAVAILABLE', { cause: error });
    }
  };
}

function toAuthError(error: unknown): never {
  if (error instanceof errors.JWTExpired) {
    throw authErrors.create('AUTH_TOKEN_EXPIRED', { cause: error });
  }

  if (error instanceof AppError) {
    throw error;
  }

  // jose raises a TypeError, not a JOSEError, for some key and algorithm mismatches; whatever a
  // caller's token makes jose reject is that token's fault, never a 500.
  throw authErrors.create('AUTH_TOKEN_INVALID', { cause: error });
}
