import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchHandler, EachBatchPayload, KafkaMessage } from 'kafkajs';
import {
  type DeliveryContext,
  type DeliveryOutcome,
  processDelivery,
} from '../process-delivery.ts';
import type { HandlerSlots } from './handler-slots.ts';
import type { InFlightLag } from './in-flight-lag.ts';
import { readHeaders } from './kafka-headers.ts';
import { type ConsumedMessage, carryOutOutcome, type OutcomeTarget } from './kafka-outcome.ts';

export interface BatchWorkerContext {
  /** The topic the subscription reads, also when this worker reads its retry topic. */
  readonly topic: string;
  readonly subscription: string;
  readonly delivery: DeliveryContext;
  readonly target: OutcomeTarget;
  /** Aborted when the subscription closes: waiting stops and no new message is started. */
  readonly signal: AbortSignal;
  readonly heartbeatIntervalMs: number;
  /** Holds each message until its not-before time: the retry topic's worker. */
  readonly honourNotBefore: boolean;
  /** Shared by the subscription's consumers: a slot is held while a message is handled. */
  readonly slots: HandlerSlots;
  readonly lag?: InFlightLag;
}

const noBytes = new Uint8Array(0);
const longestPollMs = 250;
const commitIntervalMs = 1_000;

/**
 * Handles the messages of one fetched partition batch in order. An offset is resolved only after
 * its outcome is carried out, and resolved offsets are committed at the end of the batch and at
 * least every second within it. The batch stops early, leaving the rest for the next fetch or the
 * next owner of the partition, when the subscription closes or the group rebalances.
 */
export function createBatchWorker(context: BatchWorkerContext): EachBatchHandler {
  return async (payload) => {
    const keepAlive = startKeepAlive(payload, context.heartbeatIntervalMs);
    const commits = pacedCommits(payload, (acknowledged) => {
      const labels = { topic: context.topic, subscription: context.subscription };
      context.delivery.metrics.acknowledged.inc(labels, acknowledged);
    });

    try {
      for (const message of payload.batch.messages) {
        if (!keepAlive.wanted(context.signal)) break;
        const outcome = await handleMessage(context, payload, message, keepAlive);
        if (outcome === undefined) break;
        payload.resolveOffset(message.offset);
        if (outcome.action === 'ack') commits.acknowledged();
        await commits.whenDue();
      }
      await commits.now();
    } finally {
      keepAlive.stop();
      context.lag?.idle(payload.batch.partition);
    }
  };
}

async function handleMessage(
  context: BatchWorkerContext,
  payload: EachBatchPayload,
  message: KafkaMessage,
  keepAlive: KeepAlive,
): Promise<DeliveryOutcome | undefined> {
  const { topic, partition } = payload.batch;
  const headers = readHeaders(message.headers);
  const consumed: ConsumedMessage = { topic, partition, message, headers };

  if (context.honourNotBefore && !(await waitUntil(headers.notBefore, context, keepAlive))) {
    return undefined;
  }

  context.lag?.handling(partition, Number(message.timestamp));
  const release = await context.slots.acquire();
  try {
    // The wait for a slot may have outlasted the subscription or this partition's assignment.
    if (!keepAlive.wanted(context.signal)) return undefined;

    return await handleInSlot(context, consumed);
  } finally {
    release();
  }
}

async function handleInSlot(
  context: BatchWorkerContext,
  consumed: ConsumedMessage,
): Promise<DeliveryOutcome> {
  const { message, headers } = consumed;
  const outcome = await processDelivery(
    {
      topic: context.topic,
      subscription: context.subscription,
      data: message.value ?? noBytes,
      attributes: headers.attributes,
      attempt: headers.attempt,
    },
    context.delivery,
  );

  await carryOutOutcome(outcome, consumed, context.target);
  return outcome;
}

/**
 * Committing after every message would cost a broker round trip each (about 5 ms on Kafka 4,
 * whose group coordinator batches its writes), so commits are paced: a crash repeats at most
 * about a second of handled messages, which idempotent consumers absorb. A commit is the
 * acknowledgement, so the messages it covers are reported to `onCommitted` only once it is done.
 */
function pacedCommits(payload: EachBatchPayload, onCommitted: (acknowledged: number) => void) {
  let lastCommit = Date.now();
  let acknowledged = 0;
  const now = async () => {
    lastCommit = Date.now();
    const covered = acknowledged;
    acknowledged = 0;
    await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    if (covered > 0) onCommitted(covered);
  };

  return {
    now,
    acknowledged: () => {
      acknowledged += 1;
    },
    whenDue: () => (Date.now() - lastCommit >= commitIntervalMs ? now() : Promise.resolve()),
  };
}

// Polls in short steps rather than sleeping once, so close and rebalances are noticed promptly.
async function waitUntil(
  notBefore: number,
  context: BatchWorkerContext,
  keepAlive: KeepAlive,
): Promise<boolean> {
  while (Date.now() < notBefore) {
    if (!keepAlive.wanted(context.signal)) return false;

    const step = Math.min(notBefore - Date.now(), longestPollMs);
    await sleep(step, undefined, { signal: context.signal }).catch(() => undefined);
  }

  return keepAlive.wanted(context.signal);
}

interface KeepAlive {
  /** False once the batch should stop: closing, stopped, seeking or rebalancing. */
  wanted(signal: AbortSignal): boolean;
  stop(): void;
}

/**
 * kafkajs heartbeats only between messages, so a slow handler (or a retry waiting for its time)
 * would look dead to the group. This heartbeats on a timer while the batch runs; a failed
 * heartbeat (usually a rebalance) ends the batch so the consumer can rejoin at once.
 */
function startKeepAlive(payload: EachBatchPayload, intervalMs: number): KeepAlive {
  let healthy = true;
  const timer = setInterval(() => {
    payload.heartbeat().catch(() => {
      healthy = false;
    });
  }, intervalMs);

  return {
    wanted: (signal) => healthy && !signal.aborted && payload.isRunning() && !payload.isStale(),
    stop: () => clearInterval(timer),
  };
}
