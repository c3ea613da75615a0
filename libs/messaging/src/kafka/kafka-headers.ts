import type { IHeaders } from 'kafkajs';
import { transportAttributePrefix } from '../message-attributes.ts';

/**
 * Headers the transport itself writes, under the prefix no attribute may use (attributes travel
 * as headers too), so reading them back never mistakes one for the other.
 */
export const transportHeaders = {
  /** The delivery number a message on the retry topic will have. */
  attempt: 'footfall.attempt',
  /** Epoch milliseconds before which a retried message must not be handled. */
  notBefore: 'footfall.not-before',
  /** Why a message was dead-lettered: a DeadLetterReason. */
  deadLetterReason: 'footfall.dead-letter-reason',
  /** The error or validation problem behind the reason, cut to 1000 characters. */
  deadLetterDetail: 'footfall.dead-letter-detail',
  /** Where the message was read when it was given up on, as topic/partition/offset. */
  deadLetterSource: 'footfall.dead-letter-source',
} as const;

/** What the transport reads back from the headers of a consumed message. */
export interface ReadHeaders {
  readonly attributes: Record<string, string>;
  /** 1 when absent: a message read from the main topic is on its first delivery. */
  readonly attempt: number;
  /** Epoch milliseconds; 0 when the message may be handled at once. */
  readonly notBefore: number;
  readonly deadLetterReason: string | undefined;
}

export function readHeaders(headers: IHeaders | undefined): ReadHeaders {
  const attributes: Record<string, string> = {};
  const own: Record<string, string> = {};

  for (const [name, value] of Object.entries(headers ?? {})) {
    const text = headerText(value);
    if (text === undefined) continue;
    if (name.startsWith(transportAttributePrefix)) own[name] = text;
    else attributes[name] = text;
  }

  return {
    attributes,
    attempt: positiveNumber(own[transportHeaders.attempt]) ?? 1,
    notBefore: positiveNumber(own[transportHeaders.notBefore]) ?? 0,
    deadLetterReason: own[transportHeaders.deadLetterReason],
  };
}

// A header sent twice arrives as an array; the last one written wins, as for a map.
function headerText(value: IHeaders[string]): string | undefined {
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : last.toString();
}

function positiveNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}
