import type { Registry } from 'prom-client';

const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const label = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * What Prometheus would read for a metric from a /metrics scrape of the registry: the sum of the
 * samples named `name` whose labels include `labels`, or 0 when there is none (a counter that
 * was never incremented is not exported at all).
 */
export async function scrapeMetric(
  registry: Registry,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<number> {
  let total = 0;

  for (const line of (await registry.metrics()).split('\n')) {
    const match = sample.exec(line);
    if (match?.[1] !== name) continue;

    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(label)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      total += Number(match[3]);
    }
  }

  return total;
}
