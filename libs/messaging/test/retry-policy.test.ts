import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, resolveRetryPolicy } from '../src/index.ts';

describe('resolveRetryPolicy', () => {
  it('fills in the defaults around the overrides', () => {
    expect(resolveRetryPolicy({ maxAttempts: 2 })).toEqual({
      ...defaultRetryPolicy,
      maxAttempts: 2,
    });
  });

  it.each([
    { maxAttempts: 0 },
    { maxAttempts: 1.5 },
    { initialBackoffMs: Number.NaN },
    { initialBackoffMs: -1 },
    { maxBackoffMs: Number.POSITIVE_INFINITY },
    { maxBackoffMs: 0.5 },
    { initialBackoffMs: 2_000, maxBackoffMs: 1_000 },
  ])('refuses %o as a programming error', (overrides) => {
    expect(() => resolveRetryPolicy(overrides)).toThrow(TypeError);
  });
});
