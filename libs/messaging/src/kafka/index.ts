export { transportHeaders } from './kafka-headers.ts';
export {
  type SubscriptionTopics,
  subscriptionTopics,
  topicsOfSubscription,
} from './kafka-topic-names.ts';
export { createKafkaTransport, type KafkaTransportOptions } from './kafka-transport.ts';
