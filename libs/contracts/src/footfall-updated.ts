import { z } from 'zod';

/** `footfall.rollup.updated` v1: figures of these store-local hours changed. */
export const rollupUpdatedV1 = z.object({
  storeId: z.uuid(),
  hours: z
    .array(z.iso.datetime({ offset: true }))
    .min(1)
    .max(10_000),
});
