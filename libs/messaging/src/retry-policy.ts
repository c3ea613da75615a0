import type { RetryPolicy } from './transport.ts';

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };

  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new TypeError('retry.maxAttempts must be a positive integer');
  }

  return Object.freeze(policy);
}

/**
 * Delay before the next delivery after `attempt` failed: exponential, capped, with up to 20%
 * random jitter so a burst of failures does not come back as a burst.
 */
export function backoffAfter(attempt: number, policy: RetryPolicy): number {
  const exponential = policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(exponential, policy.maxBackoffMs);

  return Math.round(capped * (0.8 + Math.random() * 0.2));
}
