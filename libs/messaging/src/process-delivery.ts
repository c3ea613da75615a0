import { messageCatalogue } from '@footfall/contracts';
import { type DecodeFailure, decodeMessage } from './envelope-codec.ts';
import { describeError } from './error-description.ts';
import type { ContractCatalogue, MessageHandler } from './message.ts';
import type { MessagingMetrics } from './messaging-metrics.ts';
import { backoffAfter } from './retry-policy.ts';
import type { RetryPolicy } from './transport.ts';

export type DeadLetterReason = DecodeFailure | 'handler-failed';

// What every transport keeps of an error or a validation problem beside the message.
const maxDetailLength = 1000;

/** What a transport must do with a delivery once the shared logic has run. */
export type DeliveryOutcome =
  | { readonly action: 'ack' }
  | { readonly action: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly action: 'dead-letter'; readonly reason: DeadLetterReason; readonly detail: string };

export interface Delivery {
  readonly topic: string;
  readonly subscription: string;
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on first delivery. */
  readonly attempt: number;
}

export interface DeliveryContext {
  readonly handler: MessageHandler;
  readonly policy: RetryPolicy;
  readonly metrics: MessagingMetrics;
  readonly catalogue?: ContractCatalogue;
}

/**
 * The part of consuming that is the same on every transport: decode and validate, run the
 * handler, count it, and decide between acknowledging, retrying later and dead-lettering. An
 * invalid message is dead-lettered at once: retrying cannot make it valid. Acknowledgements are
 * counted by the transport, once it has sent them.
 */
export async function processDelivery(
  delivery: Delivery,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const labels = { topic: delivery.topic, subscription: delivery.subscription };
  const decoded = decodeMessage(delivery.data, context.catalogue ?? messageCatalogue);
  if (!decoded.ok) {
    return deadLetter(context, labels, decoded.reason, decoded.detail);
  }

  // Only what reaches the handler is a delivery in the metrics' sense.
  context.metrics.delivered.inc(labels);
  if (delivery.attempt > 1) context.metrics.redelivered.inc(labels);

  const stopTimer = context.metrics.handlerDuration.startTimer(labels);
  try {
    await context.handler({ ...delivery, envelope: decoded.envelope });
    stopTimer({ outcome: 'success' });
    return { action: 'ack' };
  } catch (error) {
    stopTimer({ outcome: 'failure' });
    return afterFailure(delivery, context, labels, describeError(error, maxDetailLength));
  }
}

function afterFailure(
  delivery: Delivery,
  context: DeliveryContext,
  labels: { topic: string; subscription: string },
  error: string,
): DeliveryOutcome {
  if (delivery.attempt >= context.policy.maxAttempts) {
    return deadLetter(context, labels, 'handler-failed', error);
  }

  return { action: 'retry', delayMs: backoffAfter(delivery.attempt, context.policy), error };
}

function deadLetter(
  context: DeliveryContext,
  labels: { topic: string; subscription: string },
  reason: DeadLetterReason,
  detail: string,
): DeliveryOutcome {
  context.metrics.deadLettered.inc({ ...labels, reason });
  return { action: 'dead-letter', reason, detail: detail.slice(0, maxDetailLength) };
}
