import type { RetryPolicy } from './transport.ts';

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
});

/** The largest exponent backoffAfter uses: 2 ** 1023 is still finite, so 0 × it stays 0. */
const largestExponent = 1_023;

/** The defaults with the subscriber's overrides; a TypeError names the first bad setting. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };

  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new TypeError('retry.maxAttempts must be a positive integer');
  }

  for (const name of ['initialBackoffMs', 'maxBackoffMs'] as const) {
    if (!Number.isSafeInteger(policy[name]) || policy[name] < 0) {
      throw new TypeError(`retry.${name} must be a non-negative integer`);
    }
  }

  if (policy.initialBackoffMs > policy.maxBackoffMs) {
    throw new TypeError('retry.initialBackoffMs must not exceed retry.maxBackoffMs');
  }

  return Object.freeze(policy);
}

/**
 * Delay before the next delivery after `attempt` failed: exponential, capped, with up to 20%
 * random jitter so a burst of failures does not come back as a burst.
 */
export function backoffAfter(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.min(Math.max(0, attempt - 1), largestExponent);
  const capped = Math.min(policy.initialBackoffMs * 2 ** exponent, policy.maxBackoffMs);

  return Math.round(capped * (0.8 + Math.random() * 0.2));
}
