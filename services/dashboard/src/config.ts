import { postgresUrlSchema } from '@footfall/db';
import { messagingConfigShape, requireTransportSettings } from '@footfall/messaging';
import { baseConfigShape, portWithDefault } from '@footfall/service-kit';
import { z } from 'zod';

/** Everything dashboard reads from its environment; docs/configuration.md lists each variable. */
export const configSchema = z
  .object({
    ...baseConfigShape,
    ...messagingConfigShape,
    PORT: portWithDefault(4100),
    /** The dashboard's own database (its sessions), as its runtime role. */
    DATABASE_URL: postgresUrlSchema,
    /** The serving database, as the read-only reader role: the dashboard never writes footfall. */
    SERVING_DATABASE_URL: postgresUrlSchema,
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  })
  .superRefine(requireTransportSettings);

export type Config = z.output<typeof configSchema>;
