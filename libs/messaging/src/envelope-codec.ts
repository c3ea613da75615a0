import { randomUUID } from 'node:crypto';
import { type Envelope, envelopeSchema, messageCatalogue } from '@footfall/contracts';
import type { z } from 'zod';
import type { ContractCatalogue, OutgoingMessage } from './message.ts';
import { checkAttributes } from './message-attributes.ts';
import { MessagingError } from './messaging-error.ts';

/**
 * The largest message any transport accepts: 256 KiB of encoded envelope and attributes
 * together, well under Pub/Sub's 10 MB and Kafka's 1 MiB record batch, so one limit holds
 * whichever transport carries the message.
 */
export const maxMessageBytes = 256 * 1024;

export interface EncodedMessage {
  readonly id: string;
  readonly key: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  /** The envelope's bytes and the attributes' together: what the size limit counts. */
  readonly size: number;
}

/**
 * Builds and serialises the envelope of an outgoing message after checking it against its
 * contract and topic, the envelope schema every consumer applies, and the attribute and size
 * limits. A mistake here is the producer's bug, so it throws rather than sends.
 */
export function encodeMessage(
  topic: string,
  message: OutgoingMessage,
  catalogue: ContractCatalogue = messageCatalogue,
): EncodedMessage {
  const contract = catalogue.find((c) => c.type === message.type && c.version === message.version);
  const { type, version } = message;
  const refused = { messageId: message.id };

  if (contract === undefined) {
    throw new MessagingError('MESSAGING_UNKNOWN_CONTRACT', { type, version }, refused);
  }

  if (contract.topic !== topic) {
    const params = { type, topic, expected: contract.topic };
    throw new MessagingError('MESSAGING_WRONG_TOPIC', params, refused);
  }

  const checked = contract.payload.safeParse(message.payload);
  if (!checked.success) {
    const problems = describeIssues(checked.error.issues);
    throw new MessagingError('MESSAGING_INVALID_PAYLOAD', { type, version, problems }, refused);
  }

  const envelope = checkedEnvelope(message, checked.data);
  const attributes = message.attributes ?? {};
  return toEncoded(envelope, attributes, checkedAttributeBytes(message, attributes));
}

// The schema consumers decode with: an envelope it refuses would only be dead-lettered.
function checkedEnvelope(message: OutgoingMessage, payload: unknown): Envelope {
  const { type, version } = message;
  const envelope = envelopeSchema.safeParse({
    id: message.id ?? randomUUID(),
    type,
    version,
    time: message.time ?? new Date().toISOString(),
    key: message.key,
    payload,
  });

  if (!envelope.success) {
    const problems = describeIssues(envelope.error.issues);
    const params = { type, version, problems };
    throw new MessagingError('MESSAGING_INVALID_ENVELOPE', params, { messageId: message.id });
  }

  return { ...envelope.data, payload };
}

// What the attributes add to the message's size, measured in the pass that checks them.
function checkedAttributeBytes(message: OutgoingMessage, attributes: unknown): number {
  const { problems, bytes } = checkAttributes(attributes);

  if (problems.length > 0) {
    const params = { type: message.type, version: message.version, problems: problems.join('; ') };
    throw new MessagingError('MESSAGING_INVALID_ATTRIBUTES', params, { messageId: message.id });
  }

  return bytes;
}

function toEncoded(
  envelope: Envelope,
  attributes: Readonly<Record<string, string>>,
  attributeBytes: number,
): EncodedMessage {
  const data = Buffer.from(JSON.stringify(envelope), 'utf8');
  const size = data.length + attributeBytes;

  if (size > maxMessageBytes) {
    const params = { id: envelope.id, size, limit: maxMessageBytes };
    throw new MessagingError('MESSAGING_MESSAGE_TOO_LARGE', params, { messageId: envelope.id });
  }

  return { id: envelope.id, key: envelope.key, data, attributes, size };
}

// Paths and zod's wording only: values are never repeated, since payloads may be personal.
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
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
