/** The platform's topics; see docs/messaging.md for who publishes and who consumes each. */
export const topics = {
  /** Accepted router batches, pseudonymised, from tracking-ingestion to tracking-computation. */
  trackingBatches: 'tracking.batches',
  /** Changes to customers, stores and routers, from customer to every read model. */
  customerEvents: 'customer.events',
  /** Footfall figures that changed, from tracking-computation to the dashboard's cache. */
  footfallUpdated: 'footfall.updated',
} as const;

export type Topic = (typeof topics)[keyof typeof topics];

export const allTopics: readonly Topic[] = Object.values(topics);
