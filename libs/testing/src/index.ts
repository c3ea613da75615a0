export { describeServiceGrants } from './grant-suite.ts';
export type { TestPostgres } from './provided-context.ts';
export {
  createTestDatabases,
  dropSuffixedDatabases,
  migrationsDirectory,
  type TestDatabaseOptions,
  type TestDatabases,
  type TestServiceDatabase,
} from './service-databases.ts';
export { queryAs, withClient } from './with-client.ts';
