export { brokerFunctions, messagingPrivileges } from './messaging-privileges.ts';
export {
  messagingMigrationsDirectory,
  migrateMessagingDatabase,
  type PostgresTopicTopology,
  provisionPostgresTopology,
} from './postgres-topology.ts';
export { createPostgresTransport, type PostgresTransportOptions } from './postgres-transport.ts';
export { topicChannel } from './topic-channel.ts';
