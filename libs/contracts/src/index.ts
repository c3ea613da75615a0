export { routerRevokedV1, routerUpsertedV1, storeUpsertedV1 } from './customer-events.ts';
export { type Envelope, envelopeSchema } from './envelope.ts';
export { rollupUpdatedV1 } from './footfall-updated.ts';
export { findContract, type MessageContract, messageCatalogue } from './message-catalogue.ts';
export { platformTopology, type TopicTopology } from './platform-topology.ts';
export { type ServiceClientId, serviceClientIds } from './service-clients.ts';
export { allTopics, type Topic, topics } from './topics.ts';
export {
  type TrackingBatchAcceptedV1,
  trackingBatchAcceptedV1,
} from './tracking-batch-accepted.ts';
