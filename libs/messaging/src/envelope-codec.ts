import { randomUUID } from 'node:crypto';
import { type Envelope, envelopeSchema, messageCatalogue } from '@footfall/contracts';
import type { ContractCatalogue, OutgoingMessage } from './message.ts';
import { MessagingError } from './messaging-error.ts';

/**
 * The largest encoded envelope any transport accepts: 256 KiB, well under Pub/Sub's 10 MB and
 * Kafka's default 1 MiB, so one limit holds whichever transport carries the message.
 */
export const maxMessageBytes = 256 * 1024;

export interface EncodedMessage {
  readonly id: string;
  readonly key: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Builds and serialises the envelope of an outgoing message after checking it against its
 * contract and topic. A mistake here is the producer's bug, so it throws rather than sends.
 */
export function encodeMessage(
  topic: string,
  message: OutgoingMessage,
  catalogue: ContractCatalogue = messageCatalogue,
): EncodedMessage {
  const contract = catalogue.find((c) => c.type === message.type && c.version === message.version);
  const { type, version } = message;

  if (contract === undefined) {
    throw new MessagingError('MESSAGING_UNKNOWN_CONTRACT', { type, version });
  }

  if (contract.topic !== topic) {
    throw new MessagingError('MESSAGING_WRONG_TOPIC', { type, topic, expected: contract.topic });
  }

  const checked = contract.payload.safeParse(message.payload);
  if (!checked.success) {
    const problems = checked.error.issues
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new MessagingError('MESSAGING_INVALID_PAYLOAD', { type, version, problems });
  }

  const envelope: Envelope = {
    id: message.id ?? randomUUID(),
    type,
    version,
    time: message.time ?? new Date().toISOString(),
    key: message.key,
    payload: checked.data,
  };

  return toEncoded(envelope, message.attributes ?? {});
}

function toEncoded(envelope: Envelope, attributes: Readonly<Record<string, string>>) {
  const data = Buffer.from(JSON.stringify(envelope), 'utf8');

  if (data.length > maxMessageBytes) {
    throw new MessagingError('MESSAGING_MESSAGE_TOO_LARGE', {
      id: envelope.id,
      size: data.length,
      limit: maxMessageBytes,
    });
  }

  return { id: envelope.id, key: envelope.key, data, attributes };
}

/** Why a delivered message could not be handed to a handler. */
export type DecodeFailure = 'malformed' | 'unknown-contract' | 'invalid-payload';

export type DecodeResult =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly reason: DecodeFailure; readonly detail: string };

/** Parses and validates delivered bytes; never throws, whatever arrives. */
export function decodeMessage(
  data: Uint8Array,
  catalogue: ContractCatalogue = messageCatalogue,
): DecodeResult {
  const envelope = envelopeSchema.safeParse(parseJson(data));

  if (!envelope.success) {
    return { ok: false, reason: 'malformed', detail: 'not a valid envelope' };
  }

  const { type, version } = envelope.data;
  const contract = catalogue.find((c) => c.type === type && c.version === version);

  if (contract === undefined) {
    return { ok: false, reason: 'unknown-contract', detail: `${type} v${version}` };
  }

  const payload = contract.payload.safeParse(envelope.data.payload);
  if (!payload.success) {
    const paths = payload.error.issues.map((issue) => issue.path.join('.') || '(root)');
    return {
      ok: false,
      reason: 'invalid-payload',
      detail: `${type} v${version}: ${paths.join(', ')}`,
    };
  }

  return { ok: true, envelope: { ...envelope.data, payload: payload.data } };
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
}
