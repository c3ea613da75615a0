-- Publish before sign: a rotated key is published in the JWKS at once but signs only from
-- activates_at, so every replica (and every verifier's cached JWKS) knows it before any token
-- carries its kid. Existing keys are active from their creation.

ALTER TABLE auth.signing_keys
  ADD COLUMN activates_at timestamptz NOT NULL DEFAULT clock_timestamp();

UPDATE auth.signing_keys SET activates_at = created_at;

CREATE INDEX signing_keys_activates_at ON auth.signing_keys (activates_at DESC);
