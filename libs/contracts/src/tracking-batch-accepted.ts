import { z } from 'zod';

/** One device heard by one router over an interval; the address is already a pseudonym. */
const observation = z.object({
  devicePseudonym: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  firstSeen: z.iso.datetime({ offset: true }),
  lastSeen: z.iso.datetime({ offset: true }),
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
  receivedAt: z.iso.datetime({ offset: true }),
  observations: z.array(observation).max(10_000),
});

export type TrackingBatchAcceptedV1 = z.output<typeof trackingBatchAcceptedV1>;
