import { PubSub } from '@google-cloud/pubsub';
import { afterAll, describe, expect, it } from 'vitest';
import { detachClosedSubscription } from '../../src/pubsub/closed-subscription.ts';
import { testProjectId } from './pubsub-test-emulator.ts';

// The client's own Subscription object; nothing here opens a stream or reaches a server.
const pubsub = new PubSub({ projectId: testProjectId, apiEndpoint: '127.0.0.1:1' });
afterAll(() => pubsub.close());

describe('a closed Pub/Sub subscription', () => {
  it('logs a late error instead of throwing it, and drops the other listeners', () => {
    const subscription = pubsub.subscription('closed');
    const late: Error[] = [];
    let received = 0;
    subscription.on('message', () => {
      received += 1;
    });

    detachClosedSubscription(subscription, (error) => late.push(error));
    subscription.emit('message', {});

    expect(() => subscription.emit('error', new Error('stream reset'))).not.toThrow();
    expect(late.map((error) => error.message)).toEqual(['stream reset']);
    expect(received).toBe(0);
  });
});
