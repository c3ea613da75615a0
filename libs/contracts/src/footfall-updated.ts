import { z } from 'zod';
import { timestamp } from './timestamp.ts';

/** `footfall.rollup.updated` v1: figures of these store-local hours changed. */
export const rollupUpdatedV1 = z.object({
  storeId: z.uuid(),
  /**
   * At most 5,000 (about seven months), so the largest valid message stays well inside the
   * 256 KiB message limit; a producer with more changed hours sends several messages.
   */
  hours: z.array(timestamp).min(1).max(5_000),
});
