import { postgresUrlSchema } from '@footfall/db';
import { messagingConfigShape, requireTransportSettings } from '@footfall/messaging';
import { baseConfigShape, portWithDefault } from '@footfall/service-kit';
import { z } from 'zod';

/** Everything tracking-ingestion reads from its environment, listed in docs/configuration.md. */
export const configSchema = z
  .object({
    ...baseConfigShape,
    ...messagingConfigShape,
    PORT: portWithDefault(4103),
    /** Connects as the service's runtime role, which holds only the grants the service needs. */
    DATABASE_URL: postgresUrlSchema,
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  })
  .superRefine(requireTransportSettings);

export type Config = z.output<typeof configSchema>;
