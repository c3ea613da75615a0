/**
 * The topics a subscription needs besides the one it reads. Kafka has no per-subscription queue,
 * so retries and dead letters get topics of their own, named after the topic and subscription.
 */
export interface SubscriptionTopics {
  /** Failed messages wait here, each with the time it may be tried again. */
  readonly retry: string;
  /** Messages given up on, each with the reason, for an operator to read. */
  readonly deadLetter: string;
}

export function subscriptionTopics(topic: string, subscription: string): SubscriptionTopics {
  return {
    retry: `${topic}.${subscription}.retry`,
    deadLetter: `${topic}.${subscription}.dlq`,
  };
}

/** Every topic a subscription uses, the topic it reads first. */
export function topicsOfSubscription(topic: string, subscription: string): string[] {
  const { retry, deadLetter } = subscriptionTopics(topic, subscription);
  return [topic, retry, deadLetter];
}

/** The consumer group on a subscription's retry topic; the topic's own group is the name itself. */
export function retryGroupId(subscription: string): string {
  return `${subscription}.retry`;
}
