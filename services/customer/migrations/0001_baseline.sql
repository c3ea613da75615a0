-- Baseline of the customer schema. Runs as footfall_customer_owner, like every migration of this
-- service.
--
-- No tables yet. Each later migration that adds a table also GRANTs footfall_customer_app exactly
-- the privileges declared in src/privileges.ts; the grant-matrix test fails on any difference.

COMMENT ON SCHEMA customer IS
  'Owned by the customer service: customers, stores (time zone, thresholds), routers '
  '(public keys only), users and the admin audit log.';

-- Bootstrap already sets these up; restating them here keeps the guarantees with the schema's own
-- history, even where the database was provisioned by other tooling.
REVOKE ALL ON SCHEMA customer FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
