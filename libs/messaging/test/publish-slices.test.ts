import { describe, expect, it } from 'vitest';
import type { EncodedMessage } from '../src/envelope-codec.ts';
import { sliceForSending } from '../src/publish-slices.ts';

function messages(...sizes: number[]): EncodedMessage[] {
  return sizes.map((size, n) => ({
    id: String(n),
    key: 'k',
    data: Buffer.alloc(0),
    attributes: {},
    size,
  }));
}

function idsOf(slices: EncodedMessage[][]): string[][] {
  return slices.map((slice) => slice.map((message) => message.id));
}

describe('sliceForSending', () => {
  it('keeps the order and starts a new slice before the byte limit would be passed', () => {
    const slices = sliceForSending(messages(400, 400, 200, 1, 600), {
      maxCount: 10,
      maxBytes: 1000,
    });

    expect(idsOf(slices)).toEqual([
      ['0', '1', '2'],
      ['3', '4'],
    ]);
  });

  it('starts a new slice at the count limit, and counts bytes as told', () => {
    const limits = { maxCount: 2, maxBytes: 1000, sizeOf: () => 300 };

    expect(idsOf(sliceForSending(messages(1, 1, 1, 1, 1), limits))).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4'],
    ]);
  });

  it('sends nothing for no messages', () => {
    expect(sliceForSending([], { maxCount: 1, maxBytes: 1 })).toEqual([]);
  });
});
