import type { EncodedMessage } from './envelope-codec.ts';

/**
 * Most messages in one slice on any transport that slices, so a call or a batch of one huge
 * publish stays small however small its messages are.
 */
export const maxMessagesPerSlice = 500;

export interface SliceLimits {
  /** Most messages in one slice. */
  readonly maxCount: number;
  /** Most bytes in one slice, as `sizeOf` counts them. */
  readonly maxBytes: number;
  /** What one message costs the broker's limit; by default its envelope and attributes. */
  readonly sizeOf?: (message: EncodedMessage) => number;
}

/**
 * Cuts one publish into consecutive slices, in order, each within a broker's limits on a
 * single request or batch. Every message fits a slice on its own: callers keep `maxBytes`
 * above the largest message the codec lets through.
 */
export function sliceForSending(
  messages: readonly EncodedMessage[],
  limits: SliceLimits,
): EncodedMessage[][] {
  const sizeOf = limits.sizeOf ?? ((message: EncodedMessage) => message.size);
  const slices: EncodedMessage[][] = [];
  let current: EncodedMessage[] = [];
  let bytes = 0;

  for (const message of messages) {
    const size = sizeOf(message);
    const full = current.length === limits.maxCount || bytes + size > limits.maxBytes;
    if (current.length > 0 && full) {
      slices.push(current);
      [current, bytes] = [[], 0];
    }
    current.push(message);
    bytes += size;
  }

  if (current.length > 0) slices.push(current);
  return slices;
}
