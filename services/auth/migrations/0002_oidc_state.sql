-- The authorization server's state: every oidc-provider model (sessions, grants, codes, tokens,
-- interactions, replay detection) in one table, and the signing keys. Nothing lives in process
-- memory, so any replica can answer for a token another one issued.

CREATE TABLE auth.oidc_models (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  -- Copied out of the payload so the adapter's lookups and revocation use an index.
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);

-- revokeByGrantId deletes every model of a grant at once (refresh token reuse, revocation).
CREATE INDEX oidc_models_grant_id ON auth.oidc_models (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_models_uid ON auth.oidc_models (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_models_user_code ON auth.oidc_models (model, user_code)
  WHERE user_code IS NOT NULL;
-- The periodic clean-up deletes by expiry.
CREATE INDEX oidc_models_expires_at ON auth.oidc_models (expires_at) WHERE expires_at IS NOT NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON auth.oidc_models TO footfall_auth_app;

-- Asymmetric private keys as JWKs. The newest key signs; the others stay published in the JWKS so
-- tokens they signed verify until they expire. Generated on first start, rotated by
-- `pnpm --filter @footfall/auth rotate-keys`; never in the repository.
CREATE TABLE auth.signing_keys (
  kid text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX signing_keys_created_at ON auth.signing_keys (created_at DESC);

GRANT SELECT, INSERT, DELETE ON auth.signing_keys TO footfall_auth_app;
