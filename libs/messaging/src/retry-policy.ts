import type { RetryPolicy } from './transport.ts';

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
});

/**
 * The defaults with a subscriber's overrides, checked: a NaN or negative delay would otherwise
 * surface much later as a broker error (an invalid interval in SQL, a refused retry policy).
 */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };

  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new TypeError('retry.maxAttempts must be a positive integer');
  }

  for (const name of ['initialBackoffMs', 'maxBackoffMs'] as const) {
    if (!Number.isSafeInteger(policy[name]) || policy[name] < 0) {
      throw new TypeError(`retry.${name} must be a non-negative integer, got ${policy[name]}`);
    }
  }

  if (policy.maxBackoffMs < policy.initialBackoffMs) {
    throw new TypeError('retry.maxBackoffMs must not be below retry.initialBackoffMs');
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
