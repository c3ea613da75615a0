import { messageCatalogue } from '@footfall/contracts';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { encodeMessage, maxMessageBytes, type OutgoingMessage } from '../src/index.ts';

// The longest form of each field: JSON escapes a control character to six bytes, a timestamp
// may carry nanoseconds and an offset, and this number prints with 25 characters.
const longText = (length: number) => '\u0001'.repeat(length);
const longTime = '2026-12-03T18:00:00.123456789+01:00';
const longNumber = -0.0000012345678901234567;
const uuid = '3f2b8c1e-9a4d-4e7f-8b6a-2c5d9e0f1a3b';

/** Room left for attributes beside the largest envelope of every contract. */
const attributeRoom = 64 * 1024;

const largestPayloads: Record<string, (count: number) => unknown> = {
  'tracking.batch.accepted v1': (count) => ({
    batchId: uuid,
    storeId: uuid,
    routerId: uuid,
    receivedAt: longTime,
    observations: Array.from({ length: count }, () => ({
      devicePseudonym: 'A'.repeat(128),
      firstSeen: longTime,
      lastSeen: longTime,
      rssiMax: -120,
      rssiMean: longNumber,
      frameCount: Number.MAX_SAFE_INTEGER,
      randomisedAddress: false,
      associated: false,
    })),
  }),
  'customer.store.upserted v1': () => ({
    storeId: uuid,
    customerId: uuid,
    name: longText(200),
    timeZone: longText(64),
  }),
  'customer.router.upserted v1': () => ({
    routerId: uuid,
    storeId: uuid,
    publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43) },
  }),
  'customer.router.revoked v1': () => ({ routerId: uuid, storeId: uuid }),
  'footfall.rollup.updated v1': (count) => ({
    storeId: uuid,
    hours: Array.from({ length: count }, () => longTime),
  }),
};

/** Contracts holding a list: their largest payload is the longest list the schema accepts. */
const listContracts = new Set(['tracking.batch.accepted v1', 'footfall.rollup.updated v1']);
const unboundedCount = 100_000;

// The schema's own limit, found by bisection, so a raised .max() cannot slip past this test.
function longestList(name: string, schema: ZodType): number {
  let [accepted, refused] = [0, unboundedCount];

  while (refused - accepted > 1) {
    const middle = Math.floor((accepted + refused) / 2);
    const valid = schema.safeParse(largestPayloads[name]?.(middle)).success;
    [accepted, refused] = valid ? [middle, refused] : [accepted, middle];
  }

  return accepted;
}

function largestMessage(name: string, count: number): OutgoingMessage {
  const [type = '', version] = name.split(' v');
  const payload = largestPayloads[name]?.(count);
  return { type, version: Number(version), key: longText(256), time: longTime, payload };
}

describe('the largest valid payload of every contract', () => {
  for (const { topic, type, version, payload } of messageCatalogue) {
    const name = `${type} v${version}`;

    it(`${name} fits the message limit with ${attributeRoom} bytes to spare`, () => {
      expect(largestPayloads, 'add the largest payload of a new contract here').toHaveProperty([
        name,
      ]);
      const count = listContracts.has(name) ? longestList(name, payload) : 0;
      const message = largestMessage(name, count);

      expect(count, 'the list has a limit').toBeLessThan(unboundedCount - 1);
      expect(payload.safeParse(message.payload).success).toBe(true);
      expect(encodeMessage(topic, message).size).toBeLessThanOrEqual(
        maxMessageBytes - attributeRoom,
      );
    });
  }
});
