export { type AuthErrorCode, authErrors } from './auth-errors.ts';
export { setBearerChallenge } from './bearer-challenge.ts';
export { bearerTokenOf } from './bearer-header.ts';
export { type BearerTokensOptions, bearerTokens } from './bearer-tokens.ts';
export {
  requireToken,
  type TokenHook,
  type TokenRequirement,
  verifiedToken,
} from './require-token.ts';
export type { ClientAuthMethod } from './token-endpoint.ts';
export {
  createTokenProvider,
  type TokenProvider,
  type TokenProviderOptions,
} from './token-provider.ts';
export {
  type AllowedAlgorithm,
  allowedAlgorithms,
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier.ts';
export type { VerifiedToken } from './verified-token.ts';
