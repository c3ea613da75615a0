// Tests that migrate one service themselves find its files here; the one copy is in @footfall/db.
export { migrationsDirectory } from '@footfall/db';
export { discoverPublicClient, discoverServiceClient, secretOf } from './auth-service-clients.ts';
export {
  type AuthServiceClientId,
  type AuthServiceOptions,
  type AuthServiceProcess,
  authServiceClientIds,
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
export { describeServiceGrants } from './grant-suite.ts';
export {
  defaultKafkaBrokers,
  findKafkaBrokers,
  type KafkaAvailability,
  type KafkaBrokerStart,
  kafkaBrokers,
  startKafkaBroker,
} from './kafka-broker.ts';
export { decodeEntities, PageBrowser, pageFormOf } from './page-browser.ts';
export type { TestPostgres } from './provided-context.ts';
export {
  defaultPubSubEmulatorHost,
  type PubSubEmulatorAvailability,
  type PubSubEmulatorStart,
  pubsubEmulator,
  startPubSubEmulator,
} from './pubsub-emulator.ts';
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
export type { StartedBroker } from './started-broker.ts';
export { queryAs, withClient } from './with-client.ts';
