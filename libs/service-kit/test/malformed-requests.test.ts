import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './build-test-app.ts';

let current: TestApp | undefined;

afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestApp> {
  current = await buildTestApp(env);
  return current;
}

/** Writes raw bytes to the app's socket and resolves with everything it answers. */
async function sendRaw(app: TestApp['app'], request: string): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];

  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(request);
  await new Promise((resolve) => socket.on('close', resolve));
  return Buffer.concat(chunks).toString('utf8');
}

/** The status, headers and JSON body of a raw HTTP/1.1 response. */
function parseResponse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 2),
    ]),
  );

  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

describe('URLs the router refuses', () => {
  it('answers a malformed percent-encoding with a coded 400 that echoes nothing', async () => {
    const { app, logs } = await start();
    const response = await app.inject({ method: 'GET', url: '/password/%E0%A4%A-s3cret' });
    const id = response.headers['x-request-id'];

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'HTTP_BAD_URL',
      message: expect.any(String),
      statusCode: 400,
    });
    expect(response.body).not.toContain('s3cret');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.withMessage('request refused')).toEqual([
      expect.objectContaining({ reqId: id, code: 'HTTP_BAD_URL', statusCode: 400 }),
    ]);
    expect(logs.raw.join('\n')).not.toContain('s3cret');
  });

  it('answers a path parameter over 100 characters with a coded 414', async () => {
    const { app, logs } = await start();
    const token = `reset-${'t'.repeat(120)}`;
    const response = await app.inject({ method: 'GET', url: `/password/${token}` });

    expect(response.statusCode).toBe(414);
    expect(response.json().code).toBe('HTTP_URI_TOO_LONG');
    expect(response.body).not.toContain(token);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.raw.join('\n')).not.toContain(token);
  });

  it('logs each refusal and counts it in the metrics', async () => {
    const { app, logs } = await start();
    await app.inject({ method: 'GET', url: '/password/%E0%A4%A' });
    await app.inject({ method: 'GET', url: `/password/${'t'.repeat(120)}` });

    const refused = logs.withMessage('request refused').map((line) => line.statusCode);
    expect(refused).toEqual([400, 414]);

    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/http_errors_total\{code="HTTP_BAD_URL",status_code="400"/);
    expect(metrics).toMatch(/http_errors_total\{code="HTTP_URI_TOO_LONG",status_code="414"/);
  });
});

describe("bytes Node's parser refuses", () => {
  const cases = {
    'a malformed header line': {
      request: 'GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization Bearer s3cret\r\n\r\n',
      status: 400,
      code: 'HTTP_BAD_REQUEST',
    },
    'headers over the size limit': {
      request: `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: s3cret=${'c'.repeat(20_000)}\r\n\r\n`,
      status: 431,
      code: 'HTTP_HEADERS_TOO_LARGE',
    },
    'Content-Length beside Transfer-Encoding': {
      request:
        'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\ns3cret',
      status: 400,
      code: 'HTTP_BAD_REQUEST',
    },
  };

  for (const [name, { request, status, code }] of Object.entries(cases)) {
    it(`answers ${name} with a coded ${status} that echoes nothing`, async () => {
      const { app, logs } = await start();
      const raw = await sendRaw(app, request);
      const response = parseResponse(raw);

      expect(response.status).toBe(status);
      expect(response.body).toEqual({ code, message: expect.any(String), statusCode: status });
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(raw).not.toContain('s3cret');

      const [refusal] = logs.withMessage('request refused');
      expect(refusal).toMatchObject({ code, statusCode: status });
      expect(refusal?.reqId).toBe(response.headers['x-request-id']);
      expect(logs.raw.join('\n')).not.toContain('s3cret');

      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toContain(`http_errors_total{code="${code}",status_code="${status}"`);
    });
  }
});

describe('a request that never finishes arriving (slowloris)', () => {
  it('is cut off after REQUEST_TIMEOUT_MS with a coded 408 that echoes nothing', async () => {
    const { app, logs } = await start({ REQUEST_TIMEOUT_MS: '1000' });
    const startedAt = performance.now();

    // The header block never ends: a client holding the connection open, a byte at a time.
    const raw = await sendRaw(app, 'GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: s3cret=1\r\n');
    const response = parseResponse(raw);

    expect(response.status).toBe(408);
    expect(response.body).toEqual({
      code: 'HTTP_REQUEST_TIMEOUT',
      message: 'The request took too long to arrive.',
      statusCode: 408,
    });
    expect(response.headers.connection).toBe('close');
    expect(raw).not.toContain('s3cret');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(logs.withMessage('request refused')).toEqual([
      expect.objectContaining({ code: 'HTTP_REQUEST_TIMEOUT', statusCode: 408 }),
    ]);
  });
});

describe('NUL characters, which no field accepts and PostgreSQL cannot store', () => {
  const nested = (depth: number): unknown =>
    depth === 0 ? 'a\u0000b' : { level: [nested(depth - 1)] };

  it.each([
    ['in a body string', { method: 'POST', url: '/orders', payload: { item: 'a\u0000b' } }],
    ['in a nested key', { method: 'POST', url: '/orders', payload: { a: [{ 'k\u0000': 1 }] } }],
    ['in the query', { method: 'GET', url: '/slow?ms=1%00' }],
    ['in a path parameter', { method: 'GET', url: '/status/4%0004' }],
    ['400 levels deep', { method: 'POST', url: '/orders', payload: nested(200) }],
  ])('answers one %s with a coded 400 before the handler runs', async (_name, call) => {
    const { app } = await start();

    const response = await app.inject(call as InjectOptions);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'HTTP_INVALID_CHARACTER',
      message: 'The request carries a NUL character (U+0000), which no field accepts.',
      statusCode: 400,
    });
  });

  it('lets the same request through without the NUL', async () => {
    const { app } = await start();

    const response = await app.inject({ method: 'GET', url: '/status/404' });

    expect(response.statusCode).toBe(404);
  });
});
