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

  it('names the route pattern, never the path, and scrubs personal data from messages', async () => {
    const envelopes: string[] = [];
    const port = await startIngest(envelopes);
    service = new ServiceProcess({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42` });
    const address = await service.address();

    expect((await fetch(`${address}/password/reset-t0ken-in-path`)).status).toBe(500);
    service.child.kill('SIGTERM');
    expect(await service.exitCode()).toBe(0);

    const event = sentEvents(envelopes)[0];
    expect(event?.request).toEqual({ method: 'GET', url: '/password/:token' });
    expect(event?.exception.values.map((exception) => exception.value)).toEqual([
      'connect postgres://[redacted]@db:5432 refused',
      'reset failed for [email] on device [mac]',
    ]);

    const sent = envelopes.join('\n');
    for (const secret of ['reset-t0ken-in-path', 'ann@example.com', 'aa:bb:cc', 's3cret-cause']) {
      expect(sent).not.toContain(secret);
    }
  });
});

interface SentEvent {
  request?: unknown;
  exception: { values: Array<{ value?: string }> };
}

/** The error events among the envelopes' items (each item is one JSON line). */
function sentEvents(envelopes: string[]): SentEvent[] {
  const items = envelopes.flatMap((envelope) => envelope.split('\n').filter(Boolean));
  return items.map((item) => JSON.parse(item) as Partial<SentEvent>).filter(isEvent);
}

function isEvent(item: Partial<SentEvent>): item is SentEvent {
  return item.exception !== undefined;
}

describe('scrubEvent', () => {
  it('keeps only the method and the route pattern of a request, and drops user data', () => {
    const event = scrubEvent({
      type: undefined,
      tags: { route: '/password/:token' },
      transaction: 'POST /password/path-secret',
      request: {
        method: 'POST',
        url: 'https://auth.example/password/path-secret?token=query-secret',
        headers: { authorization: 'Bearer header-secret' },
        cookies: { sid: 'cookie-secret' },
        data: { password: 'body-secret' },
      },
      breadcrumbs: [{ message: 'GET /password/path-secret' }],
      user: { ip_address: '203.0.113.9' },
      extra: { body: 'body-secret' },
    });

    expect(event.request).toEqual({ method: 'POST', url: '/password/:token' });
    expect(JSON.stringify(event)).not.toMatch(/secret|203\.0\.113\.9/);
  });

  it('drops the URL of a request without a route, and scrubs messages', () => {
    const event = scrubEvent({
      type: undefined,
      request: { method: 'GET', url: 'https://auth.example/password/path-secret' },
      message: 'mail to ann@example.com failed',
      exception: { values: [{ type: 'Error', value: 'no answer from 0A-1B-2C-3D-4E-5F' }] },
    });

    expect(event.request).toEqual({ method: 'GET' });
    expect(event.message).toBe('mail to [email] failed');
    expect(event.exception?.values?.[0]?.value).toBe('no answer from [mac]');
  });
});
