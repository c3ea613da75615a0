import { PublishError, type ServiceError } from '@google-cloud/pubsub';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingMetrics } from '../../src/index.ts';
import { isPermanentFailure } from '../../src/outbox/permanent-failure.ts';
import { createPubSubTransport } from '../../src/pubsub/index.ts';
import { pubsubPublishFailure } from '../../src/pubsub/pubsub-publish-failure.ts';
import { orderMessage, testCatalogue, uniqueName } from '../contract/test-messages.ts';
import { PubSubTestEmulator, testProjectId } from './pubsub-test-emulator.ts';

const emulator = new PubSubTestEmulator();
let unavailable: string | undefined;

beforeAll(async () => {
  unavailable = await emulator.unavailable();
});

afterAll(() => emulator.close());

/**
 * What the gRPC client rejects a refused call with, as grpc-js builds it: an Error carrying the
 * status. The emulator has no IAM, so Pub/Sub's PERMISSION_DENIED cannot be provoked for real.
 */
function grpcFailure(code: number, details: string): ServiceError {
  const failure = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return failure as unknown as ServiceError;
}

const permissionDenied = 7;

describe('a failed Pub/Sub publish', () => {
  // The first message of a key gets the call's error; the later ones, once the client paused
  // the key, a PublishError carrying the same status.
  it.each([
    ['the call', grpcFailure(permissionDenied, 'User not authorized to perform this action.')],
    ['a paused key', new PublishError('store-1', grpcFailure(permissionDenied, 'denied'))],
  ])('is MESSAGING_NOT_PERMITTED when IAM refuses it (%s)', (_title, error) => {
    const failure = pubsubPublishFailure('tracking.batches', error);

    expect(failure).toMatchObject({
      code: 'MESSAGING_NOT_PERMITTED',
      message: 'This service may not publish to topic tracking.batches.',
    });
    expect((failure as Error).cause).toBe(error);
    expect(isPermanentFailure(failure), 'parked by the outbox relay').toBe(true);
  });

  it('stays as the emulator answered for anything else: a topic that does not exist', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const topic = uniqueName('missing');
    const transport = await createPubSubTransport({
      metrics: new MessagingMetrics(new Registry()),
      catalogue: testCatalogue(topic),
      projectId: testProjectId,
      apiEndpoint: emulator.host,
    });

    try {
      const publishing = transport.publish(topic, [orderMessage('k', 1), orderMessage('k', 2)]);
      const failure = await publishing.catch((error: unknown) => error);

      expect(failure).toMatchObject({ code: 5 });
      expect(isPermanentFailure(failure)).toBe(false);
    } finally {
      await transport.close();
    }
  });
});
