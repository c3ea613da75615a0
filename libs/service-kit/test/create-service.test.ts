import { afterEach, describe, expect, it } from 'vitest';
import { createService } from '../src/index.ts';
import { buildTestApp, type TestApp } from './build-test-app.ts';
import { LogCapture } from './log-capture.ts';
import { testConfig } from './test-config.ts';

let current: TestApp | undefined;

async function start(env: Record<string, string> = {}): Promise<TestApp> {
  current = await buildTestApp(env);
  return current;
}

afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('error responses', () => {
  it('answers malformed JSON with a coded 400', async () => {
    const { app } = await start();
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: '{"storeId": ',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'HTTP_INVALID_JSON',
      message: expect.any(String),
      statusCode: 400,
    });
  });

  it('answers an empty JSON body with a coded 400', async () => {
    const { app } = await start();
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
    });

    expect(response.json().code).toBe('HTTP_INVALID_JSON');
  });

  it('answers a wrongly typed body with the failing fields, not the values', async () => {
    const { app } = await start();
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { storeId: 'secret-store-value', count: 'many' },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('HTTP_VALIDATION_FAILED');
    expect(response.json().details).toEqual([{ path: 'count', problem: expect.any(String) }]);
    expect(response.body).not.toContain('many');
  });

  it('answers an oversize body with 413 naming the limit', async () => {
    const { app } = await start({ BODY_LIMIT_BYTES: '2048' });
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { storeId: 'x'.repeat(4096), count: 1 },
    });

    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('HTTP_BODY_TOO_LARGE');
    expect(response.json().message).toContain('2048');
  });

  it("quotes a route's own body limit in the 413, not the server's", async () => {
    const { app } = await start({ BODY_LIMIT_BYTES: '2048' });
    const response = await app.inject({
      method: 'POST',
      url: '/small',
      payload: { filler: 'x'.repeat(1500) },
    });

    expect(response.statusCode).toBe(413);
    expect(response.json().message).toContain('1024');
    expect(response.json().message).not.toContain('2048');
  });

  it('answers a body that is not JSON with 415', async () => {
    const { app } = await start();
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'text/x-submitted-type' },
      payload: 'storeId=1',
    });

    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('HTTP_UNSUPPORTED_MEDIA_TYPE');
    expect(response.body).not.toContain('submitted-type');
  });

  it('answers an unknown route with a coded 404 echoing neither path nor query', async () => {
    const { app } = await start();
    const response = await app.inject({ method: 'GET', url: '/nowhere-reset-k3y?token=abc' });

    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('HTTP_NOT_FOUND');
    expect(response.body).not.toContain('abc');
    expect(response.body).not.toContain('k3y');
  });

  it('hides the detail of an unexpected error from the client and logs it at error', async () => {
    const { app, logs } = await start();
    const response = await app.inject({ method: 'GET', url: '/boom' });

    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      code: 'HTTP_INTERNAL',
      message: 'An internal error occurred.',
      statusCode: 500,
    });

    const [failure] = logs.withMessage('request failed');
    expect(failure?.level).toBe('error');
    expect(JSON.stringify(failure?.err)).toContain('hunter2-secret');
  });

  it('answers a thrown non-Error (null, undefined, a string...) with the generic 500', async () => {
    const { app, logs } = await start();

    for (const kind of ['null', 'undefined', 'string', 'number', 'object']) {
      const response = await app.inject({ method: 'GET', url: `/throw/${kind}` });

      expect(response.statusCode, kind).toBe(500);
      expect(response.json(), kind).toEqual({
        code: 'HTTP_INTERNAL',
        message: 'An internal error occurred.',
        statusCode: 500,
      });
    }

    expect(logs.withMessage('request failed')).toHaveLength(5);
  });

  it('keeps the status of a thrown error that carries one, under a generic code', async () => {
    const { app } = await start();
    const expected = { 401: 'HTTP_UNAUTHORIZED', 403: 'HTTP_FORBIDDEN', 404: 'HTTP_NOT_FOUND' };
    const cases = { ...expected, 429: 'HTTP_TOO_MANY_REQUESTS', 418: 'HTTP_BAD_REQUEST' };

    for (const [status, code] of Object.entries(cases)) {
      const response = await app.inject({ method: 'GET', url: `/status/${status}` });

      expect(response.statusCode, status).toBe(status === '418' ? 400 : Number(status));
      expect(response.json().code, status).toBe(code);
      expect(response.body).not.toContain('status detail');
    }

    expect((await app.inject('/status/503')).json().code).toBe('HTTP_INTERNAL');
  });

  it('sends a 5xx its fixed message, keeping the parameters for the log', async () => {
    const { app, logs } = await start();
    const response = await app.inject({ method: 'GET', url: '/upstream' });

    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({
      code: 'KIT_UPSTREAM_FAILED',
      message: 'upstream said {detail}',
      statusCode: 502,
    });

    const [failure] = logs.withMessage('request failed');
    expect(JSON.stringify(failure?.err)).toContain('upstream-secret-detail');
  });

  it('logs refused requests at info with their code', async () => {
    const { app, logs } = await start();
    await app.inject({ method: 'POST', url: '/orders', payload: { storeId: '' } });

    const [refusal] = logs.withMessage('request refused');
    expect(refusal).toMatchObject({
      level: 'info',
      code: 'HTTP_VALIDATION_FAILED',
      statusCode: 400,
    });
  });
});

describe('request ids', () => {
  it('mints an id, returns it and puts it on every line of the request', async () => {
    const { app, logs } = await start();
    const before = logs.lines.length;
    const response = await app.inject({ method: 'POST', url: '/careless', payload: {} });
    const id = response.headers['x-request-id'];

    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logs.lines.slice(before);
    expect(lines.map((line) => line.msg)).toEqual(['careless handler', 'request completed']);
    expect(lines.map((line) => line.reqId)).toEqual([id, id]);
  });

  it('keeps a well-formed incoming id and replaces a hostile one', async () => {
    const { app } = await start();
    const kept = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-0123456789' },
    });
    const replaced = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });

    expect(kept.headers['x-request-id']).toBe('trace-0123456789');
    expect(replaced.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('log redaction', () => {
  it('never writes tokens, passwords, cookies or device identifiers', async () => {
    const { app, logs } = await start();
    await app.inject({
      method: 'POST',
      url: '/careless',
      headers: {
        authorization: 'Bearer eyJ.token-value.sig',
        cookie: 'session=cookie-value',
        'x-api-key': 'api-key-value',
      },
      payload: {
        password: 'correct-horse-battery',
        refresh_token: 'refresh-value',
        device: { mac: 'aa:bb:cc:dd:ee:ff' },
        nested: { deeper: { even: { more: { clientSecret: 'client-secret-value' } } } },
      },
    });

    const output = logs.raw.join('\n');
    expect(output).toContain('careless handler');

    for (const secret of [
      'token-value',
      'cookie-value',
      'correct-horse-battery',
      'refresh-value',
      'aa:bb:cc:dd:ee:ff',
      'client-secret-value',
      'api-key-value',
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});

describe('health, readiness and metrics', () => {
  it('reports alive and ready when every check passes', async () => {
    const { app } = await start();
    app.readiness.register('database', async () => {});

    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('reports not ready, naming the failing and the hanging dependency', async () => {
    const { app } = await start({ READINESS_TIMEOUT_MS: '50' });
    app.readiness.register('database', async () => {
      throw new Error('connection refused');
    });
    app.readiness.register('broker', () => new Promise(() => {}));

    const response = await app.inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      code: 'HTTP_NOT_READY',
      statusCode: 503,
      checks: { database: 'failing', broker: 'timeout' },
    });
  });

  it('probes declared dependencies and closes them when the app closes', async () => {
    let closed = false;
    const app = await createService({
      name: 'kit-test',
      config: testConfig(),
      logDestination: new LogCapture(),
      dependencies: {
        cache: {
          check: async () => {},
          close: async () => {
            closed = true;
          },
        },
      },
    });

    expect((await app.inject('/readyz')).json()).toEqual({
      status: 'ready',
      checks: { cache: 'ok' },
    });
    await app.close();
    expect(closed).toBe(true);
  });

  it('reports not ready while draining', async () => {
    const { app } = await start();
    app.readiness.markDraining();

    expect((await app.inject('/readyz')).json()).toMatchObject({ draining: true });
  });

  it('serves Prometheus text with request durations by route and error counts', async () => {
    const { app } = await start();
    await app.inject({ method: 'POST', url: '/orders', payload: { storeId: 's', count: 1 } });
    await app.inject({ method: 'GET', url: '/nowhere' });

    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('process_cpu_seconds_total');
    expect(response.body).toMatch(
      /http_request_duration_seconds_count\{service="kit-test",method="POST",route="\/orders",status_code="200"\} 1/,
    );
    expect(response.body).toMatch(/http_errors_total\{code="HTTP_NOT_FOUND",status_code="404"/);
  });

  it('sends security headers', async () => {
    const { app } = await start();
    const response = await app.inject('/healthz');

    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toContain('max-age=');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
