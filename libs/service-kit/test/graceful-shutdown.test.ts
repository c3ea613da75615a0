import { afterEach, describe, expect, it } from 'vitest';
import { ServiceProcess } from './service-process.ts';

let service: ServiceProcess | undefined;

afterEach(() => {
  service?.kill();
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request on SIGTERM, closes pools and exits 0', async () => {
    service = new ServiceProcess({ SLOW_MS: '1500', SHUTDOWN_TIMEOUT_MS: '10000' });
    const address = await service.address();

    const inFlight = fetch(`${address}/slow`);
    await service.waitForLine('slow request started');
    service.child.kill('SIGTERM');

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    expect(await service.exitCode()).toBe(0);
    expect(service.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down', 'pool closed', 'shut down']),
    );
  });

  it('exits 0 promptly on SIGINT when idle', async () => {
    service = new ServiceProcess({});
    await service.address();
    service.child.kill('SIGINT');

    expect(await service.exitCode()).toBe(0);
  });

  it('gives up with exit 1 when a request outlives the deadline', async () => {
    service = new ServiceProcess({ SLOW_MS: '20000', SHUTDOWN_TIMEOUT_MS: '300' });
    const address = await service.address();

    fetch(`${address}/slow`).catch(() => undefined);
    await service.waitForLine('slow request started');
    service.child.kill('SIGTERM');

    expect(await service.exitCode()).toBe(1);
    expect(service.lines.some((line) => line.msg === 'shutdown deadline passed')).toBe(true);
  });

  it('waits SHUTDOWN_DELAY_MS before closing the listener', async () => {
    service = new ServiceProcess({ SHUTDOWN_DELAY_MS: '1000' });
    await service.address();

    const signalledAt = performance.now();
    service.child.kill('SIGTERM');

    expect(await service.waitForLine('draining before close')).toMatchObject({ delayMs: 1000 });
    expect(await service.exitCode()).toBe(0);
    expect(performance.now() - signalledAt).toBeGreaterThanOrEqual(1000);
  });

  it('refuses to start with a clear message when configuration is invalid', async () => {
    service = new ServiceProcess({ PORT: 'not-a-port' });

    expect(await service.exitCode()).toBe(1);
    const lines = service.errorLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'fatal',
        msg: 'invalid configuration',
        issues: [{ variable: 'PORT', problem: expect.any(String) }],
      }),
    ]);
    expect(service.lines.some((line) => String(line.msg).startsWith('Server listening'))).toBe(
      false,
    );
  });
});
