export { withAdvisoryLock } from './advisory-lock.ts';
export { type BootstrapOptions, type BootstrapResult, bootstrapDatabases } from './bootstrap.ts';
export {
  type BootstrapEnvironment,
  passwordVariableFor,
  readBootstrapEnvironment,
} from './bootstrap-environment.ts';
export {
  buildConnectionUrl,
  type ConnectionUrlParts,
  replaceUrlCredentials,
  replaceUrlDatabase,
} from './connection-url.ts';
export {
  DbError,
  type DbErrorCode,
  type DbErrorParams,
  dbErrorMessages,
  isDbError,
} from './db-error.ts';
export type { DbLogger } from './db-logger.ts';
export { parseEnvironment, postgresUrlSchema } from './environment.ts';
export {
  type ExpectedPrivileges,
  type FunctionPrivilege,
  functionPrivileges,
  type RolePrivileges,
  type SequencePrivilege,
  sequencePrivileges,
  type TablePrivilege,
  tablePrivileges,
} from './expected-privileges.ts';
export { findPrivilegeViolations, type PrivilegeViolation } from './grant-matrix.ts';
export { closeMaintenanceDatabases, maintenanceDatabases } from './maintenance-databases.ts';
export {
  type MigrateCliOptions,
  migrateEnvironmentShape,
  runMigrateCli,
} from './migrate-cli.ts';
export { type MigrationFile, readMigrationFiles } from './migration-files.ts';
export { migrationsDirectory } from './migrations-directory.ts';
export { type MigrationOptions, type MigrationResult, runMigrations } from './migrator.ts';
export { createPool, type PoolOptions, pingDatabase, poolDependency } from './pool.ts';
export { readRoleAttributes } from './privilege-catalog.ts';
export {
  databaseFor,
  listRoles,
  type MessagingDatabase,
  messagingDatabase,
  rolesOf,
  type ServiceDatabase,
  type ServiceName,
  serviceDatabases,
  serviceNames,
} from './role-model.ts';
export {
  assertRolePasswords,
  minimumPasswordLength,
  type RolePasswords,
} from './role-passwords.ts';
export {
  createScramVerifier,
  isScramSafePassword,
  type ScramVerifierOptions,
} from './scram-verifier.ts';
export { withTransaction } from './transaction.ts';
