import type { Envelope, MessageContract } from '@footfall/contracts';
import type { MessagingMetrics } from './messaging-metrics.ts';

/** What a producer hands to publish(); the envelope's id and time are filled in if absent. */
export interface OutgoingMessage {
  readonly type: string;
  readonly version: number;
  /** The ordering key; for tracking data, the store id. */
  readonly key: string;
  readonly payload: unknown;
  /**
   * Small string metadata carried beside the envelope, not for personal data: at most 64, names
   * up to 256 bytes and not starting with `goog` or `footfall.`, values up to 1024, counted in
   * the size limit (docs/messaging.md).
   */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Set by the outbox so a republished message keeps its id; otherwise a new UUID. */
  readonly id?: string;
  readonly time?: string;
}

/** A message as a handler receives it: validated against its contract. */
export interface DeliveredMessage {
  readonly envelope: Envelope;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on first delivery; higher on redelivery. */
  readonly attempt: number;
  readonly topic: string;
  readonly subscription: string;
}

/**
 * Processes one message. Resolving acknowledges it; throwing asks for redelivery with backoff,
 * and after the subscription's attempt limit the message is dead-lettered with the error.
 */
export type MessageHandler = (message: DeliveredMessage) => Promise<void>;

/** The contracts a transport validates against; the platform's catalogue unless a test says so. */
export type ContractCatalogue = readonly MessageContract[];

/** The logging a transport needs; a pino logger fits. Never log payloads: they may be personal. */
export interface MessagingLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** What every transport factory receives besides its own connection settings. */
export interface TransportDependencies {
  readonly metrics: MessagingMetrics;
  /** @default the platform's messageCatalogue */
  readonly catalogue?: ContractCatalogue;
  readonly logger?: MessagingLogger;
}
