import { z } from 'zod';

/** A TCP port with a service-specific default, so every service has a documented local port. */
export function portWithDefault(defaultPort: number) {
  return z.coerce.number().int().min(0).max(65_535).default(defaultPort);
}
