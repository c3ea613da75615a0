import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  type ContractCatalogue,
  type DeliveredMessage,
  encodeMessage,
  type OutgoingMessage,
} from '../../src/index.ts';

export const testMessageType = 'test.order.placed';

const strictPayload = z.object({ sequence: z.number().int(), note: z.string().optional() });

/** The contract of the suite's test messages, on a topic made for one test. */
export function testCatalogue(
  topic: string,
  payload: z.ZodType = strictPayload,
): ContractCatalogue {
  return [{ topic, type: testMessageType, version: 1, payload }];
}

/** A catalogue that lets anything through, to publish what a strict consumer must refuse. */
export function permissiveCatalogue(topic: string): ContractCatalogue {
  return [
    { topic, type: testMessageType, version: 1, payload: z.unknown() },
    { topic, type: testMessageType, version: 2, payload: z.unknown() },
  ];
}

export function orderMessage(key: string, sequence: number, note?: string): OutgoingMessage {
  return {
    type: testMessageType,
    version: 1,
    key,
    payload: note ? { sequence, note } : { sequence },
  };
}

/** A test message whose envelope and attributes come to exactly `bytes`. */
export function messageOfSize(
  topic: string,
  sequence: number,
  bytes: number,
  attributes: Record<string, string> = {},
): OutgoingMessage {
  const base = { ...orderMessage('k', sequence), payload: { sequence, note: '' }, attributes };
  const overhead = encodeMessage(topic, base, testCatalogue(topic)).size;
  return { ...base, payload: { sequence, note: 'n'.repeat(bytes - overhead) } };
}

/** Records what a handler saw, in order. */
export class Recorder {
  readonly deliveries: DeliveredMessage[] = [];

  get ids(): Set<string> {
    return new Set(this.deliveries.map((delivery) => delivery.envelope.id));
  }

  record = async (message: DeliveredMessage): Promise<void> => {
    this.deliveries.push(message);
  };

  /**
   * A handler that pauses for a random time of up to `maxPauseMs` and records the message as it
   * finishes, so two handlers of one key that a transport let run at once finish out of order.
   */
  recordAfterPause(maxPauseMs: number): (message: DeliveredMessage) => Promise<void> {
    return async (message) => {
      await sleep(Math.random() * maxPauseMs);
      this.deliveries.push(message);
    };
  }
}

/** Polls until the condition holds; fails with the description when the bound passes. */
export async function waitFor(
  description: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  progress: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  while (!(await condition())) {
    if (Date.now() > deadline) {
      const state = progress();
      throw new Error(
        `timed out after ${timeoutMs} ms waiting until ${description}${state ? ` (${state})` : ''}`,
      );
    }

    await sleep(25);
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
