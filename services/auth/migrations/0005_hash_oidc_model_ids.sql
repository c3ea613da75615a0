-- A provider model's id is the credential its holder presents: the refresh token, the code, the
-- opaque access token, the session cookie. Rows were keyed by it and kept it again as
-- payload.jti, so a copy of the table was a set of working tokens. From now on a row is keyed by
-- the id's SHA-256 (hex) and the payload keeps no copy: the adapter hashes what it is given and
-- puts the id back into what it finds. An interaction's copy of its session id goes as well.
--
-- Replicas of the previous version cannot find converted rows; deploy this with a release that
-- replaces every replica. The checks make a write by such a replica fail rather than store an id.

UPDATE auth.oidc_models
SET id = encode(sha256(convert_to(id, 'UTF8')), 'hex'),
    payload = (payload - 'jti') #- '{session,cookie}';

ALTER TABLE auth.oidc_models
  ADD CONSTRAINT oidc_models_id_is_hash CHECK (id ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT oidc_models_payload_has_no_id CHECK (NOT payload ? 'jti');
