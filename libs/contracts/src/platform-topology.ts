import { type Topic, topics } from './topics.ts';

/** Who publishes a topic and which subscriptions read it; names are service names. */
export interface TopicTopology {
  readonly topic: Topic;
  readonly publishers: readonly string[];
  readonly subscriptions: readonly { readonly name: string; readonly consumer: string }[];
}

/**
 * The platform's message flows. Installs provision exactly this (the postgres transport also
 * turns it into its access list); a service that is not listed may not publish or consume.
 * Subscription names are `<consuming service>.<topic>`, so each service has its own copy.
 */
export const platformTopology: readonly TopicTopology[] = Object.freeze([
  {
    topic: topics.trackingBatches,
    publishers: ['tracking-ingestion'],
    subscriptions: [
      { name: 'tracking-computation.tracking-batches', consumer: 'tracking-computation' },
    ],
  },
  {
    topic: topics.customerEvents,
    publishers: ['customer'],
    subscriptions: [
      { name: 'tracking-ingestion.customer-events', consumer: 'tracking-ingestion' },
      { name: 'tracking-computation.customer-events', consumer: 'tracking-computation' },
    ],
  },
  {
    topic: topics.footfallUpdated,
    publishers: ['tracking-computation'],
    subscriptions: [{ name: 'dashboard.footfall-updated', consumer: 'dashboard' }],
  },
]);
