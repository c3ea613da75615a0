import { findFreePort } from '@footfall/local-postgres';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createKafkaTransport, createPostgresTransport, MessagingMetrics } from '../src/index.ts';

const metrics = () => new MessagingMetrics(new Registry());

describe('a transport whose broker is down', () => {
  it('postgres: fails at start-up with a coded error that keeps the password out', async () => {
    const port = await findFreePort();
    const connectionString = `postgres://app:s3cret-pw@127.0.0.1:${port}/footfall_messaging`;
    const starting = createPostgresTransport({ connectionString, metrics: metrics() });

    const error = await starting.then(
      () => new Error('the transport started'),
      (failure: unknown) => failure as Error,
    );
    expect(error).toMatchObject({
      code: 'MESSAGING_CONNECTION_FAILED',
      message: expect.stringContaining(`127.0.0.1:${port}/footfall_messaging`),
    });
    expect(error.message).not.toContain('s3cret-pw');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('kafka: fails at start-up with a coded error once the client gives up', async () => {
    const broker = `127.0.0.1:${await findFreePort()}`;
    const starting = createKafkaTransport({ brokers: [broker], clientId: 't', metrics: metrics() });

    await expect(starting).rejects.toMatchObject({
      code: 'MESSAGING_CONNECTION_FAILED',
      message: expect.stringContaining(broker),
    });
  }, 60_000);
});
