import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createKafkaTransport, loadMessagingConfig, MessagingMetrics } from '../src/index.ts';

const kafka = { MESSAGING_TRANSPORT: 'kafka', KAFKA_BROKERS: '127.0.0.1:19092' };

function issuesOf(env: Record<string, string>) {
  try {
    loadMessagingConfig(env);
  } catch (error) {
    if (error instanceof ZodError) return error.issues;
    throw error;
  }
  return [];
}

describe('loadMessagingConfig', () => {
  it('requires the connection variable of the chosen transport', () => {
    expect(issuesOf({ MESSAGING_TRANSPORT: 'kafka' })).toEqual([
      expect.objectContaining({ path: ['KAFKA_BROKERS'] }),
    ]);
    expect(issuesOf({})).toEqual([expect.objectContaining({ path: ['MESSAGING_DATABASE_URL'] })]);
  });

  it('refuses a Kafka consumer timeout below what brokers accept, naming the variable', () => {
    const issues = issuesOf({ ...kafka, MESSAGING_CONSUMER_TIMEOUT_MS: '5999' });

    expect(issues).toEqual([
      expect.objectContaining({
        path: ['MESSAGING_CONSUMER_TIMEOUT_MS'],
        message: expect.stringContaining('at least 6000 when MESSAGING_TRANSPORT=kafka'),
      }),
    ]);
    expect(loadMessagingConfig({ ...kafka, MESSAGING_CONSUMER_TIMEOUT_MS: '6000' })).toMatchObject({
      MESSAGING_CONSUMER_TIMEOUT_MS: 6000,
    });
  });

  it('draws the Kafka limits where the Kafka transport itself does', async () => {
    const starting = (options: { sessionTimeoutMs?: number; maxBatchBytes?: number }) =>
      createKafkaTransport({
        ...options,
        brokers: ['127.0.0.1:9'],
        clientId: 'config-test',
        metrics: new MessagingMetrics(new Registry()),
      });

    expect(issuesOf({ ...kafka, KAFKA_MAX_BATCH_BYTES: '270335' })).toEqual([
      expect.objectContaining({ path: ['KAFKA_MAX_BATCH_BYTES'] }),
    ]);
    expect(issuesOf({ ...kafka, KAFKA_MAX_BATCH_BYTES: '270336' })).toEqual([]);
    // Both refuse before connecting to anything.
    await expect(starting({ maxBatchBytes: 270_335 })).rejects.toThrow(TypeError);
    await expect(starting({ sessionTimeoutMs: 5_999 })).rejects.toThrow(
      'sessionTimeoutMs must be an integer of at least 6000',
    );
  });

  it('keeps the shorter timeouts the postgres lease allows', () => {
    const env = {
      MESSAGING_DATABASE_URL: 'postgres://app@127.0.0.1/footfall_messaging',
      MESSAGING_CONSUMER_TIMEOUT_MS: '1000',
    };

    expect(loadMessagingConfig(env).MESSAGING_CONSUMER_TIMEOUT_MS).toBe(1000);
  });
});
