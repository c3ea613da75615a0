-- Baseline of the ingestion schema. Runs as footfall_ingestion_owner, like every migration of this
-- service.
--
-- No tables yet. Each later migration that adds a table also GRANTs footfall_ingestion_app exactly
-- the privileges declared in src/privileges.ts; the grant-matrix test fails on any difference.

COMMENT ON SCHEMA ingestion IS
  'Owned by tracking-ingestion: raw observation batches from routers (pseudonymised, '
  'never raw MACs), the outbox of batches to publish, the router read model and accepted '
  'request nonces.';

-- Bootstrap already sets these up; restating them here keeps the guarantees with the schema's own
-- history, even where the database was provisioned by other tooling.
REVOKE ALL ON SCHEMA ingestion FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
