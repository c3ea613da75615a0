import { createServer, type Server } from 'node:http';
import { findFreePort } from '@footfall/local-postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitUntilReady } from '../src/service-readiness.ts';

/** A service whose /readyz answers 503 `notReadyFor` times, then 200; returns its URL. */
async function serviceReadyAfter(notReadyFor: number): Promise<{ url: string; probes(): number }> {
  let probes = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/readyz') probes += 1;
    response.statusCode = probes > notReadyFor ? 200 : 503;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return { url: `http://127.0.0.1:${port}`, probes: () => probes };
}

describe('waitUntilReady', () => {
  it('polls /readyz until it answers 200', async () => {
    const service = await serviceReadyAfter(2);

    expect(await waitUntilReady(service.url, { timeoutMs: 20_000 })).toBe(true);
    expect(service.probes()).toBe(3);
  });

  it('gives up when nothing answers by the deadline', async () => {
    const url = `http://127.0.0.1:${await findFreePort()}`;

    expect(await waitUntilReady(url, { timeoutMs: 300 })).toBe(false);
  });

  // With a deadline beyond the test's timeout, only stillWaiting can end the wait in time.
  it('gives up as soon as stillWaiting says so', async () => {
    const service = await serviceReadyAfter(Number.POSITIVE_INFINITY);
    const stillWaiting = () => service.probes() < 2;

    expect(await waitUntilReady(service.url, { timeoutMs: 3_600_000, stillWaiting })).toBe(false);
    expect(service.probes()).toBe(2);
  });
});
