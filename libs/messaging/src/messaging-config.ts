import { z } from 'zod';
import { kafkaLimits } from './kafka/kafka-limits.ts';

const booleanFlag = z.enum(['true', 'false']).transform((value) => value === 'true');
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' });

/**
 * Which transport a process uses and how it reaches it. Services spread this shape into their own
 * configuration schema; docs/configuration.md lists the variables.
 */
export const messagingConfigShape = {
  MESSAGING_TRANSPORT: z.enum(['postgres', 'pubsub', 'kafka']).default('postgres'),
  /** postgres: the messaging database, as the service's runtime role. */
  MESSAGING_DATABASE_URL: postgresUrl.optional(),
  /** pubsub: the Google Cloud project that holds the topics. */
  PUBSUB_PROJECT_ID: z.string().min(1).default('footfall-local'),
  /** pubsub: the emulator's host:port; unset in production. */
  PUBSUB_EMULATOR_HOST: z.string().min(1).optional(),
  /** kafka: comma-separated host:port list. */
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('footfall'),
  /** kafka: most bytes one send carries; below the brokers' and topics' message size limits. */
  KAFKA_MAX_BATCH_BYTES: z.coerce
    .number()
    .int()
    .min(kafkaLimits.smallestMaxBatchBytes)
    .default(kafkaLimits.defaultMaxBatchBytes),
  /**
   * How long a consumer that stopped answering keeps its messages before they go to another:
   * the postgres lease and the Kafka session timeout (at least 6000 there). Pub/Sub uses its own
   * 10 s minimum acknowledgement deadline, which the client extends while a handler runs.
   */
  MESSAGING_CONSUMER_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Create topics and subscriptions at start-up (development); production expects them. */
  MESSAGING_CREATE_TOPOLOGY: booleanFlag.default(false),
} as const;

/**
 * The cross-variable rules of the shape above: each transport needs its connection variable,
 * and Kafka a consumer timeout its brokers accept. Services that spread the shape into their
 * own schema add this with `.superRefine`.
 */
export function requireTransportSettings(
  config: {
    MESSAGING_TRANSPORT: string;
    MESSAGING_DATABASE_URL?: string | undefined;
    KAFKA_BROKERS?: string | undefined;
    MESSAGING_CONSUMER_TIMEOUT_MS?: number | undefined;
  },
  context: z.RefinementCtx,
): void {
  const variable =
    config.MESSAGING_TRANSPORT === 'postgres'
      ? 'MESSAGING_DATABASE_URL'
      : config.MESSAGING_TRANSPORT === 'kafka'
        ? 'KAFKA_BROKERS'
        : undefined;

  if (variable !== undefined && config[variable] === undefined) {
    context.addIssue({
      code: 'custom',
      path: [variable],
      message: `required when MESSAGING_TRANSPORT=${config.MESSAGING_TRANSPORT}`,
    });
  }

  const timeout = config.MESSAGING_CONSUMER_TIMEOUT_MS;
  const kafka = config.MESSAGING_TRANSPORT === 'kafka';
  const { minSessionTimeoutMs } = kafkaLimits;
  if (kafka && timeout !== undefined && timeout < minSessionTimeoutMs) {
    context.addIssue({
      code: 'custom',
      path: ['MESSAGING_CONSUMER_TIMEOUT_MS'],
      message:
        `must be at least ${minSessionTimeoutMs} when MESSAGING_TRANSPORT=kafka ` +
        "(the brokers' default group.min.session.timeout.ms)",
    });
  }
}

export const messagingConfigSchema = z
  .object(messagingConfigShape)
  .superRefine(requireTransportSettings);

export type MessagingConfig = z.output<typeof messagingConfigSchema>;

/** Parses the messaging variables of an environment; throws a ZodError naming each bad one. */
export function loadMessagingConfig(env: Readonly<Record<string, string | undefined>>) {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  return Object.freeze(messagingConfigSchema.parse(present));
}
