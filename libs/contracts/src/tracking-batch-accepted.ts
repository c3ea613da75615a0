import { z } from 'zod';
import { timestamp } from './timestamp.ts';

/** One device heard by one router over an interval; the address is already a pseudonym. */
const observation = z.object({
  devicePseudonym: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  firstSeen: timestamp,
  lastSeen: timestamp,
  rssiMax: z.number().int().min(-120).max(0),
  rssiMean: z.number().min(-120).max(0),
  frameCount: z.number().int().min(1),
  randomisedAddress: z.boolean(),
  associated: z.boolean(),
});

/** `tracking.batch.accepted` v1: a router batch ingestion accepted and stored. */
export const trackingBatchAcceptedV1 = z.object({
  batchId: z.uuid(),
  storeId: z.uuid(),
  routerId: z.uuid(),
  receivedAt: timestamp,
  /**
   * At most 500, so the largest valid message stays well inside the 256 KiB message limit. A
   * producer with a larger router batch splits it over several messages, each with its own
   * envelope id and the same batchId.
   */
  observations: z.array(observation).max(500),
});

export type TrackingBatchAcceptedV1 = z.output<typeof trackingBatchAcceptedV1>;
