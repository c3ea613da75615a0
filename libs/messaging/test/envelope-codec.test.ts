import { describe, expect, it } from 'vitest';
import { encodeMessage, maxMessageBytes, type OutgoingMessage } from '../src/index.ts';
import { messageOfSize, orderMessage, permissiveCatalogue } from './contract/test-messages.ts';

const topic = 'test.codec';
const catalogue = permissiveCatalogue(topic);

function encode(message: OutgoingMessage) {
  return () => encodeMessage(topic, message, catalogue);
}

describe('encodeMessage', () => {
  it.each([
    ['an empty key', { key: '' }, 'key'],
    ['a key over 256 characters', { key: 'k'.repeat(257) }, 'key'],
    ['an id that is not a UUID', { id: 'message-1' }, 'id'],
    ['a time that is not ISO 8601', { time: 'yesterday' }, 'time'],
  ])('refuses %s, naming the field', (_title, change, field) => {
    const message = { ...orderMessage('k', 1), ...change };

    expect(encode(message)).toThrow(
      expect.objectContaining({
        code: 'MESSAGING_INVALID_ENVELOPE',
        message: expect.stringContaining(`${field}: `),
      }),
    );
  });

  it.each([
    [
      'more than 64 attributes',
      Object.fromEntries([...Array(65).keys()].map((n) => [`a${n}`, ''])),
      '65 attributes',
    ],
    ['a name over 256 bytes', { ['é'.repeat(129)]: 'v' }, 'is 258 bytes'],
    ['an empty name', { '': 'v' }, 'name is empty'],
    ['a name Pub/Sub reserves', { 'goog-trace': 'v' }, 'prefix goog'],
    ['a name the transports keep for their own', { 'footfall.attempt': '9' }, 'prefix footfall.'],
    ['a value over 1024 bytes', { trace: 'v'.repeat(1025) }, 'trace is 1025 bytes'],
    ['a 2 MB value', { trace: 'v'.repeat(2_000_000) }, 'trace is 2000000 bytes'],
    ['a value that is not a string', { trace: 7 as unknown as string }, 'not a string'],
  ])('refuses %s among the attributes', (_title, attributes, problem) => {
    const message = { ...orderMessage('k', 1), attributes };

    expect(encode(message)).toThrow(
      expect.objectContaining({
        code: 'MESSAGING_INVALID_ATTRIBUTES',
        message: expect.stringContaining(problem),
      }),
    );
  });

  it('names the refused message by its id, so a caller can tell which of a batch it was', () => {
    const id = '0b9a4a52-4a1e-4d0c-9a51-3f0fb0d3a3d1';
    const unknown = { ...orderMessage('k', 1), id, version: 3 };
    const badAttribute = { ...orderMessage('k', 1), id, attributes: { '': 'v' } };

    expect(encode(unknown)).toThrow(expect.objectContaining({ messageId: id }));
    expect(encode(badAttribute)).toThrow(expect.objectContaining({ messageId: id }));
    expect(encode(messageOfSize(topic, 1, maxMessageBytes + 1))).toThrow(
      expect.objectContaining({
        code: 'MESSAGING_MESSAGE_TOO_LARGE',
        messageId: expect.any(String),
      }),
    );
  });

  it('counts attributes in the size limit, up to the last byte', () => {
    const attributes = Object.fromEntries(
      [...Array(60).keys()].map((n) => [`a${n}`, 'v'.repeat(1000)]),
    );
    const largest = messageOfSize(topic, 1, maxMessageBytes, attributes);
    const overLimit = messageOfSize(topic, 1, maxMessageBytes + 1, attributes);

    expect(encodeMessage(topic, largest, catalogue).size).toBe(maxMessageBytes);
    expect(encodeMessage(topic, largest, catalogue).data.length).toBeLessThan(
      maxMessageBytes - 60_000,
    );
    expect(encode(overLimit)).toThrow(
      expect.objectContaining({ code: 'MESSAGING_MESSAGE_TOO_LARGE' }),
    );
  });

  it('accepts attributes at every limit', () => {
    const name = 'n'.repeat(256);
    const attributes = {
      [name]: 'v'.repeat(1024),
      ...Object.fromEntries([...Array(63).keys()].map((n) => [`a${n}`, ''])),
    };

    expect(
      encodeMessage(topic, { ...orderMessage('k', 1), attributes }, catalogue).attributes,
    ).toBe(attributes);
  });
});
