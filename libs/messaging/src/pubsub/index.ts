export {
  deadLetterName,
  ensureSubscriptionTopology,
  ensureTopic,
  pubsubDeliveryAttempts,
  subscriptionSettings,
} from './pubsub-topology.ts';
export { createPubSubTransport, type PubSubTransportOptions } from './pubsub-transport.ts';
