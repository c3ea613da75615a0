import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { shutDown } from '../src/index.ts';
import { buildTestApp, type TestApp } from './build-test-app.ts';

let current: TestApp | undefined;

afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

/** A test app listening on a free loopback port; resolves with its port. */
async function listen(): Promise<TestApp & { port: number }> {
  current = await buildTestApp();
  await current.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...current, port: (current.app.server.address() as { port: number }).port };
}

/** Whether a new TCP connection to the port is accepted. */
async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function untilRefused(port: number): Promise<void> {
  while (await accepts(port)) {
    await sleep(10);
  }
}

async function waitForLine(logs: TestApp['logs'], msg: string): Promise<void> {
  while (logs.withMessage(msg).length === 0) {
    await sleep(5);
  }
}

describe('draining', () => {
  it('asks keep-alive clients to hang up once draining, and only then', async () => {
    current = await buildTestApp();
    const before = await current.app.inject('/healthz');
    current.app.readiness.markDraining();
    const after = await current.app.inject('/healthz');

    expect(before.headers.connection).not.toBe('close');
    expect(after.headers.connection).toBe('close');
  });

  it('refuses new connections once closing, while an in-flight request finishes', async () => {
    const { app, logs, port, release } = await listen();
    const inFlight = fetch(`http://127.0.0.1:${port}/held`);
    await waitForLine(logs, 'held request started');

    const exitCode = shutDown(app, 'test', { timeoutMs: 5_000 });
    await untilRefused(port);
    release();

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await exitCode).toBe(0);
  });

  it('keeps accepting, not ready, for the pre-close delay, then closes the listener', async () => {
    const { app, port } = await listen();
    const startedAt = performance.now();
    // Long enough that the two requests below land inside it even on a loaded machine.
    const exitCode = shutDown(app, 'test', { timeoutMs: 5_000, preCloseDelayMs: 2_000 });

    const readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ code: 'HTTP_NOT_READY', draining: true });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    await untilRefused(port);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(2_000);
    expect(await exitCode).toBe(0);
  });

  it('answers a request arriving on an open connection while closing with a coded 503', async () => {
    const { app, logs, port, release } = await listen();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));

    socket.write('GET /held HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitForLine(logs, 'held request started');
    const closed = app.close();
    await untilRefused(port);
    socket.write('GET /slow?ms=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitForLine(logs, 'request refused');
    release();
    await new Promise((resolve) => socket.on('close', resolve));
    await closed;

    const raw = Buffer.concat(chunks).toString('utf8');
    const second = raw.slice(raw.indexOf('HTTP/1.1', 1));
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(second).toMatch(/\r\nx-request-id: [\w-]{8,}\r\n/i);
    expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toEqual({
      code: 'HTTP_SHUTTING_DOWN',
      message: expect.any(String),
      statusCode: 503,
    });
    expect(logs.withMessage('request refused')).toEqual([
      expect.objectContaining({ code: 'HTTP_SHUTTING_DOWN', level: 'info' }),
    ]);
  });
});
