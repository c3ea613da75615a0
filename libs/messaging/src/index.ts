export { createTransport } from './create-transport.ts';
export {
  type DecodeFailure,
  type DecodeResult,
  decodeMessage,
  type EncodedMessage,
  encodeMessage,
  maxMessageBytes,
} from './envelope-codec.ts';
export { createKafkaTransport, type KafkaTransportOptions } from './kafka/index.ts';
export type {
  ContractCatalogue,
  DeliveredMessage,
  MessageHandler,
  MessagingLogger,
  OutgoingMessage,
  TransportDependencies,
} from './message.ts';
export {
  loadMessagingConfig,
  type MessagingConfig,
  messagingConfigSchema,
  messagingConfigShape,
  requireTransportSettings,
} from './messaging-config.ts';
export {
  MessagingError,
  type MessagingErrorCode,
  messagingErrorMessages,
} from './messaging-error.ts';
export { MessagingMetrics } from './messaging-metrics.ts';
export {
  idempotentHandler,
  OutboxMetrics,
  OutboxRelay,
  type OutboxRelayOptions,
  type TransactionalWork,
  writeToOutbox,
} from './outbox/index.ts';
export {
  createPostgresTransport,
  migrateMessagingDatabase,
  type PostgresTopicTopology,
  type PostgresTransportOptions,
  provisionPostgresTopology,
} from './postgres/index.ts';
export {
  type DeadLetterReason,
  type Delivery,
  type DeliveryContext,
  type DeliveryOutcome,
  processDelivery,
} from './process-delivery.ts';
export { createPubSubTransport, type PubSubTransportOptions } from './pubsub/index.ts';
export { backoffAfter, defaultRetryPolicy, resolveRetryPolicy } from './retry-policy.ts';
export type {
  RetryPolicy,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportName,
} from './transport.ts';
