import type { KafkaMessage, Producer } from 'kafkajs';
import type { DeliveryOutcome } from '../process-delivery.ts';
import { type ReadHeaders, transportHeaders } from './kafka-headers.ts';
import type { SubscriptionTopics } from './kafka-topic-names.ts';

/** A message as the consumer read it, with where it was read. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly headers: ReadHeaders;
}

export interface OutcomeTarget {
  readonly producer: Producer;
  readonly topics: SubscriptionTopics;
}

/**
 * Does what the shared delivery logic decided, before the caller commits the offset: a retry
 * or a dead letter is written to its topic first, so a crash in between repeats the message
 * rather than losing it.
 */
export async function carryOutOutcome(
  outcome: DeliveryOutcome,
  consumed: ConsumedMessage,
  target: OutcomeTarget,
): Promise<void> {
  if (outcome.action === 'retry') {
    await sendToRetry(consumed, target, outcome.delayMs);
  } else if (outcome.action === 'dead-letter') {
    await sendToDeadLetter(consumed, target, outcome.reason, outcome.detail);
  }
}

async function sendToRetry(consumed: ConsumedMessage, target: OutcomeTarget, delayMs: number) {
  const headers = {
    ...consumed.headers.attributes,
    [transportHeaders.attempt]: String(consumed.headers.attempt + 1),
    [transportHeaders.notBefore]: String(Date.now() + delayMs),
  };

  await forward(consumed, target.producer, target.topics.retry, headers);
}

async function sendToDeadLetter(
  consumed: ConsumedMessage,
  target: OutcomeTarget,
  reason: string,
  detail: string,
) {
  const { topic, partition, message } = consumed;
  const headers = {
    ...consumed.headers.attributes,
    [transportHeaders.attempt]: String(consumed.headers.attempt),
    [transportHeaders.deadLetterReason]: reason,
    [transportHeaders.deadLetterDetail]: detail,
    [transportHeaders.deadLetterSource]: `${topic}/${partition}/${message.offset}`,
  };

  await forward(consumed, target.producer, target.topics.deadLetter, headers);
}

// The original bytes and key go on unchanged, so the copy reads exactly like the message.
async function forward(
  consumed: ConsumedMessage,
  producer: Producer,
  topic: string,
  headers: Record<string, string>,
) {
  const { key, value } = consumed.message;
  await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
}
