import type { RetryPolicy } from './transport.ts';

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
});

/** The largest exponent backoffAfter uses: 2 ** 1023 is still finite, so 0 × it stays 0. */
const largestExponent = 1_023;

/**
 * The defaults with a subscriber's overrides, checked: a NaN or negative delay would otherwise
 * surface much later as a broker error (an invalid interval in SQL, a refused retry policy). A
 * TypeError names the first bad setting.
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
  const exponent = Math.min(Math.max(0, attempt - 1), largestExponent);
  const capped = Math.min(policy.initialBackoffMs * 2 ** exponent, policy.maxBackoffMs);

  return Math.round(capped * (0.8 + Math.random() * 0.2));
}
