/** Percentiles of a set of samples, by nearest rank. */
export function percentile(sortedSamples: readonly number[], fraction: number): number {
  if (sortedSamples.length === 0) {
    return Number.NaN;
  }

  const rank = Math.ceil(fraction * sortedSamples.length) - 1;
  return sortedSamples[Math.min(Math.max(rank, 0), sortedSamples.length - 1)] ?? Number.NaN;
}

export function summarise(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length };
}

export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}
