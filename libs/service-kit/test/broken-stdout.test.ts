import { describe, expect, it } from 'vitest';
import { ServiceProcess } from './service-process.ts';

describe('graceful shutdown with nobody reading the log', () => {
  it('exits on SIGTERM when its stdout reader is gone', async () => {
    const service = new ServiceProcess({ SHUTDOWN_TIMEOUT_MS: '2000' });
    try {
      await service.address();
      service.child.stdout?.destroy();

      service.child.kill('SIGTERM');
      const exited = await Promise.race([
        service.exitCode().then(() => 'exited'),
        new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000)),
      ]);
      expect(exited).toBe('exited');
    } finally {
      service.kill();
    }
  });
});
