import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffAfter, defaultRetryPolicy, resolveRetryPolicy } from '../src/retry-policy.ts';
import type { RetryPolicy } from '../src/transport.ts';

/** Any policy resolveRetryPolicy accepts: the initial backoff never above the cap. */
const policies = fc
  .tuple(
    fc.integer({ min: 1, max: 100 }),
    fc.integer({ min: 0, max: 600_000 }),
    fc.integer({ min: 0, max: 600_000 }),
  )
  .map(([maxAttempts, a, b]) =>
    resolveRetryPolicy({
      maxAttempts,
      initialBackoffMs: Math.min(a, b),
      maxBackoffMs: Math.max(a, b),
    }),
  );
const attempts = fc.integer({ min: 1, max: 2_000 });

/** The delay before jitter: doubling from the initial backoff, capped. */
function undisturbed(attempt: number, policy: RetryPolicy): number {
  let delay = policy.initialBackoffMs;
  for (let n = 1; n < attempt && delay < policy.maxBackoffMs; n += 1) delay *= 2;
  return Math.min(delay, policy.maxBackoffMs);
}

describe('backoffAfter', () => {
  it('stays within 80% and 100% of the capped exponential delay', () => {
    fc.assert(
      fc.property(attempts, policies, (attempt, policy) => {
        const delay = backoffAfter(attempt, policy);
        const ceiling = undisturbed(attempt, policy);

        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.8));
      }),
    );
  });

  it('never exceeds maxBackoffMs, however many attempts failed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), policies, (attempt, policy) => {
        expect(backoffAfter(attempt, policy)).toBeLessThanOrEqual(policy.maxBackoffMs);
      }),
    );
  });

  it('gives the documented defaults: about 1 s after the first failure, 60 s at most', () => {
    const first = backoffAfter(1, defaultRetryPolicy);
    const fourth = backoffAfter(4, defaultRetryPolicy);
    const tenth = backoffAfter(10, defaultRetryPolicy);

    expect(first).toBeGreaterThanOrEqual(800);
    expect(first).toBeLessThanOrEqual(1_000);
    expect(fourth).toBeGreaterThanOrEqual(6_400);
    expect(fourth).toBeLessThanOrEqual(8_000);
    expect(tenth).toBeGreaterThanOrEqual(48_000);
    expect(tenth).toBeLessThanOrEqual(60_000);
  });

  it('spreads a burst of failures rather than bringing them back at one moment', () => {
    const policy = resolveRetryPolicy({ initialBackoffMs: 10_000, maxBackoffMs: 10_000 });
    const delays = new Set(Array.from({ length: 50 }, () => backoffAfter(1, policy)));

    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('resolveRetryPolicy', () => {
  it('fills in the defaults and freezes the result', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 2 });

    expect(policy).toEqual({ maxAttempts: 2, initialBackoffMs: 1_000, maxBackoffMs: 60_000 });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(resolveRetryPolicy()).toEqual(defaultRetryPolicy);
  });

  it.each([
    [{ maxAttempts: 0 }, 'retry.maxAttempts'],
    [{ maxAttempts: 1.5 }, 'retry.maxAttempts'],
    [{ maxAttempts: Number.NaN }, 'retry.maxAttempts'],
    [{ initialBackoffMs: -1 }, 'retry.initialBackoffMs'],
    [{ initialBackoffMs: Number.POSITIVE_INFINITY }, 'retry.initialBackoffMs'],
    [{ maxBackoffMs: 0.5 }, 'retry.maxBackoffMs'],
    [{ initialBackoffMs: 2_000, maxBackoffMs: 1_000 }, 'must not be below'],
  ])('refuses %o as a programming error', (overrides, problem) => {
    expect(() => resolveRetryPolicy(overrides)).toThrow(TypeError);
    expect(() => resolveRetryPolicy(overrides)).toThrow(problem);
  });

  it('accepts every non-negative integer pair with the initial backoff under the cap', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        const overrides = { initialBackoffMs: Math.min(a, b), maxBackoffMs: Math.max(a, b) };

        expect(resolveRetryPolicy(overrides)).toMatchObject(overrides);
      }),
    );
  });
});
