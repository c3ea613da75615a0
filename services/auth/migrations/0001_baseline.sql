-- Baseline of the auth schema. Runs as footfall_auth_owner, like every migration of this service.
--
-- No tables yet. Each later migration that adds a table also GRANTs footfall_auth_app exactly the
-- privileges declared in src/privileges.ts; the grant-matrix test fails on any difference.

COMMENT ON SCHEMA auth IS
  'Owned by the auth service: users (argon2id hashes), OAuth clients, grants, sessions, '
  'signing keys and the auth audit log.';

-- Bootstrap already sets these up; restating them here keeps the guarantees with the schema's own
-- history, even where the database was provisioned by other tooling.
REVOKE ALL ON SCHEMA auth FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
