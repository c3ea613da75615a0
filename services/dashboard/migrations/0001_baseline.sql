-- Baseline of the dashboard schema. Runs as footfall_dashboard_owner, like every migration of this
-- service.
--
-- No tables yet. Each later migration that adds a table also GRANTs footfall_dashboard_app exactly
-- the privileges declared in src/privileges.ts; the grant-matrix test fails on any difference.

COMMENT ON SCHEMA dashboard IS
  'Owned by the dashboard service: its own sessions and caches. Footfall figures are read '
  'from the serving database, never stored here.';

-- Bootstrap already sets these up; restating them here keeps the guarantees with the schema's own
-- history, even where the database was provisioned by other tooling.
REVOKE ALL ON SCHEMA dashboard FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
