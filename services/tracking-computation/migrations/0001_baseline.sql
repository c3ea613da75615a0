-- Baseline of the serving schema. Runs as footfall_serving_owner, like every migration of this
-- service.
--
-- No tables yet. Each later migration that adds a table also GRANTs footfall_computation_app
-- exactly the privileges declared in src/privileges.ts; the grant-matrix test fails on any
-- difference.

COMMENT ON SCHEMA serving IS
  'Owned by tracking-computation (the only writer): visits, hourly and daily rollups and '
  'the ledger of processed batches. The dashboard reads it through '
  'footfall_dashboard_reader, which may SELECT every table here and change none.';

-- Bootstrap already sets these up; restating them here keeps the guarantees with the schema's own
-- history, even where the database was provisioned by other tooling.
REVOKE ALL ON SCHEMA serving FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
