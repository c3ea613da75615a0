// Tests that migrate one service themselves find its files here; the one copy is in @footfall/db.
export { migrationsDirectory } from '@footfall/db';
// Tests that start a server of their own pick its port with the one local-postgres uses.
export { findFreePort } from '@footfall/local-postgres';
export { discoverPublicClient, discoverServiceClient, secretOf } from './auth-service-clients.ts';
export {
  type AuthServiceSetting,
  authServiceEnvironment,
  generateClientSecrets,
} from './auth-service-environment.ts';
export {
  type AuthServiceOptions,
  type AuthServiceProcess,
  startAuthService,
} from './auth-service-process.ts';
export {
  choosePassword,
  obtainPersonToken,
  obtainServiceToken,
  type PersonTokenRequest,
  type PersonTokens,
  type ServiceTokenRequest,
  signInThroughPages,
} from './auth-service-tokens.ts';
export { type ChromiumAvailability, findChromium } from './chromium.ts';
export {
  type AuthorizationRequest,
  authorizationUrlOf,
  type CodeFlowRequest,
  type CodeFlowResult,
  type Credentials,
  cliRedirect,
  dashboardRedirect,
  exchangeCode,
  passSignInPages,
  runCodeFlow,
  type SignInPages,
  type StartedAuthorization,
} from './code-flow.ts';
export { type EmbeddedPostgresServer, startEmbeddedPostgres } from './embedded-postgres-server.ts';
export { describeServiceGrants } from './grant-suite.ts';
export { findKafkaBrokers, type KafkaAvailability } from './kafka-availability.ts';
export { decodeEntities, PageBrowser, pageFormOf } from './page-browser.ts';
export type { TestPostgres } from './provided-context.ts';
export { type PubSubEmulatorAvailability, pubsubEmulator } from './pubsub-availability.ts';
export {
  createTestDatabases,
  dropSuffixedDatabases,
  messagingMigrationsDirectory,
  migrateAll,
  type TestDatabaseOptions,
  type TestDatabases,
  type TestMessagingDatabase,
  type TestServiceDatabase,
} from './service-databases.ts';
export { queryAs, withClient } from './with-client.ts';
