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
export { createPool, type PoolOptions, pingDatabase } from './pool.ts';
export {
  databaseFor,
  listRoles,
  rolesOf,
  type ServiceDatabase,
  type ServiceName,
  serviceDatabases,
  serviceNames,
} from './role-model.ts';
export {
  createScramVerifier,
  isScramSafePassword,
  type ScramVerifierOptions,
} from './scram-verifier.ts';
export { withTransaction } from './transaction.ts';
