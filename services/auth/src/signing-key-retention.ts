import { longestKeyRefreshIntervalMs } from './config.ts';
import { tokenLifetimes } from './oidc-configuration.ts';

/** The longest a JWT these keys sign stays valid: access tokens and ID tokens. */
const longestSignedTokenSeconds = Math.max(
  tokenLifetimes.AccessToken,
  tokenLifetimes.ClientCredentials,
  tokenLifetimes.IdToken,
);

/** How far a verifier's clock may run behind ours and still be served. */
const clockSkewSeconds = 60;

// A replica keeps signing with a replaced key until its first reload after the new one activates.
const longestKeyRefreshSeconds = longestKeyRefreshIntervalMs / 1000;

/**
 * How long a replaced signing key stays published once a newer key has activated: after that,
 * no replica signs with it any more and every token it signed has expired, even to a verifier
 * whose clock is behind. Only then may a rotation delete it.
 */
export const retiredKeyRetentionSeconds =
  longestKeyRefreshSeconds + longestSignedTokenSeconds + clockSkewSeconds;
