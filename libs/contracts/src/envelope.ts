import { z } from 'zod';
import { timestamp } from './timestamp.ts';

/** Every message on every topic is one of these, serialised as JSON. */
export const envelopeSchema = z.object({
  /** Unique per message; consumers deduplicate on it. */
  id: z.uuid(),
  /** What happened, such as `tracking.batch.accepted`; with `version`, selects the schema. */
  type: z.string().regex(/^[a-z]+(\.[a-z-]+)+$/),
  version: z.number().int().min(1),
  /** When the producer created the message (ISO 8601, UTC). */
  time: timestamp,
  /** The ordering key: messages with the same key are delivered in order where supported. */
  key: z.string().min(1).max(256),
  payload: z.unknown(),
});

export type Envelope = z.output<typeof envelopeSchema>;
