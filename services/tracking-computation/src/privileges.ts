import type { ExpectedPrivileges } from '@footfall/db';

/**
 * What the runtime and read-only roles may do to each table, sequence and function of the
 * serving database. Every migration GRANT is declared here, and only those: test/grants.test.ts
 * compares this with the catalog and fails on any difference, in either direction.
 */
export const expectedPrivileges: ExpectedPrivileges = {
  footfall_computation_app: {},
  // The dashboard reads every serving table, present and future, and writes none; bootstrap
  // grants this through default privileges, so migrations do not repeat it.
  footfall_dashboard_reader: { allTables: ['SELECT'] },
};
