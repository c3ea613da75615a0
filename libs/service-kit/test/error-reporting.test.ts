import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { scrubEvent } from '../src/error-reporting.ts';
import { ServiceProcess } from './service-process.ts';

let service: ServiceProcess | undefined;
let ingest: Server | undefined;

afterEach(async () => {
  service?.kill();
  ingest?.close();
});

/** A local stand-in for Sentry's ingestion endpoint that keeps every envelope it receives. */
async function startIngest(envelopes: string[]): Promise<number> {
  ingest = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const gzipped = request.headers['content-encoding'] === 'gzip';
      envelopes.push((gzipped ? gunzipSync(body) : body).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  ingest.listen(0, '127.0.0.1');
  await once(ingest, 'listening');
  return (ingest.address() as AddressInfo).port;
}

describe('error reporting', () => {
  it('sends an unexpected error to Sentry without tokens, cookies or query strings', async () => {
    const envelopes: string[] = [];
    const port = await startIngest(envelopes);
    service = new ServiceProcess({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42` });
    const address = await service.address();

    const response = await fetch(`${address}/boom?access_token=query-secret`, {
      headers: { authorization: 'Bearer header-secret', cookie: 'sid=cookie-secret' },
    });
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id');

    service.child.kill('SIGTERM');
    expect(await service.exitCode()).toBe(0);

    const sent = envelopes.join('\n');
    expect(sent).toContain('fixture failure detail');
    expect(sent).toContain(String(requestId));
    for (const secret of ['header-secret', 'query-secret', 'cookie-secret']) {
      expect(sent).not.toContain(secret);
    }
  });
});

describe('scrubEvent', () => {
  it('keeps only the method and the path of a request, and drops user data', () => {
    const event = scrubEvent({
      type: undefined,
      request: {
        method: 'POST',
        url: 'https://ingest.example/v1/batches?token=query-secret',
        headers: { authorization: 'Bearer header-secret' },
        cookies: { sid: 'cookie-secret' },
        data: { password: 'body-secret' },
      },
      user: { ip_address: '203.0.113.9' },
      extra: { body: 'body-secret' },
    });

    expect(event.request).toEqual({ method: 'POST', url: 'https://ingest.example/v1/batches' });
    expect(event.user).toBeUndefined();
    expect(event.extra).toBeUndefined();
  });
});
