import type { ExpectedPrivileges } from '@footfall/db';

/**
 * What the runtime role may do to each table, sequence and function of this service's database.
 * Every migration GRANT is declared here, and only those: test/grants.test.ts compares this with
 * the catalog and fails on any difference, in either direction.
 */
export const expectedPrivileges: ExpectedPrivileges = {
  footfall_ingestion_app: {},
};
