export {
  type DecodeFailure,
  type DecodeResult,
  decodeMessage,
  type EncodedMessage,
  encodeMessage,
  maxMessageBytes,
} from './envelope-codec.ts';
export type {
  ContractCatalogue,
  DeliveredMessage,
  MessageHandler,
  OutgoingMessage,
} from './message.ts';
export {
  MessagingError,
  type MessagingErrorCode,
  messagingErrorMessages,
} from './messaging-error.ts';
export { MessagingMetrics } from './messaging-metrics.ts';
export {
  type DeadLetterReason,
  type Delivery,
  type DeliveryContext,
  type DeliveryOutcome,
  processDelivery,
} from './process-delivery.ts';
export { backoffAfter, defaultRetryPolicy, resolveRetryPolicy } from './retry-policy.ts';
export type {
  RetryPolicy,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportName,
} from './transport.ts';
