import { z } from 'zod';
import { trustProxySchema } from './trust-proxy.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Variables every service understands. Services extend this object with their own; the
 * configuration reference in docs/configuration.md lists both.
 */
export const baseConfigShape = {
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  // How long a request may take to arrive whole, headers and body; a slow client (slowloris)
  // gets a 408 and loses its connection when it runs out.
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  READINESS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
  TRUST_PROXY: trustProxySchema,
  SENTRY_DSN: z.url().optional(),
  SENTRY_ENVIRONMENT: z.string().min(1).default('development'),
  SERVICE_VERSION: z.string().min(1).default('0.1.0'),
} as const;

export const baseConfigSchema = z.object(baseConfigShape);

export type BaseConfig = z.output<typeof baseConfigSchema>;
