import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { kafkaPublishFailure } from '../../src/kafka/kafka-publish-failure.ts';
import { isPermanentFailure } from '../../src/outbox/permanent-failure.ts';

// The local broker runs without an authorizer, so no real refusal can be provoked. kafkajs's own
// code builds the errors instead: its table turns a broker's error code into the error it raises,
// and its retrier wraps it as a send does (or hands it on as it is when the send bails out).
type Bail = (error: Error) => void;
const kafkajs = createRequire(import.meta.url);
const { createErrorFromCode } = kafkajs('kafkajs/src/protocol/error.js') as {
  createErrorFromCode(code: number): Error;
};
const createRetry = kafkajs('kafkajs/src/retry/index.js') as (options: {
  retries: number;
}) => (attempt: (bail: Bail) => Promise<never>) => Promise<never>;

const topicAuthorizationFailed = 29;
const unknownTopicOrPartition = 3;

async function failedSend(code: number, how: 'thrown' | 'bailed'): Promise<unknown> {
  const answer = createErrorFromCode(code);
  const retrier = createRetry({ retries: 0 });

  return retrier(async (bail) => {
    if (how === 'bailed') bail(answer);
    throw answer;
  }).catch((error: unknown) => error);
}

describe('a failed Kafka send', () => {
  it.each(['thrown', 'bailed'] as const)(
    'is MESSAGING_NOT_PERMITTED when the ACL refuses the topic (%s)',
    async (how) => {
      const error = await failedSend(topicAuthorizationFailed, how);
      const failure = kafkaPublishFailure('tracking.batches', error);

      expect(failure).toMatchObject({
        code: 'MESSAGING_NOT_PERMITTED',
        message: 'This service may not publish to topic tracking.batches.',
      });
      expect((failure as Error).cause).toBe(error);
      expect(isPermanentFailure(failure), 'parked by the outbox relay').toBe(true);
    },
  );

  it.each(['thrown', 'bailed'] as const)(
    'stays as it is for anything else, so the relay tries again later (%s)',
    async (how) => {
      const error = await failedSend(unknownTopicOrPartition, how);

      expect(kafkaPublishFailure('tracking.batches', error)).toBe(error);
    },
  );
});
