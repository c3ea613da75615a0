import { maxMessageBytes } from '../envelope-codec.ts';

/**
 * What the Kafka transport accepts of its settings, kept here so the configuration schema and
 * the transport refuse the same values.
 */
export const kafkaLimits = Object.freeze({
  /** The most one `producer.send` carries unless configured: 900 KiB, under the 1 MiB default. */
  defaultMaxBatchBytes: 900 * 1024,
  /** The largest message with a 256-character key of 4-byte characters, and its framing. */
  smallestMaxBatchBytes: maxMessageBytes + 8 * 1024,
  /**
   * Brokers refuse a session timeout below their `group.min.session.timeout.ms`, 6 s by default,
   * so a shorter one would only fail at the first join.
   */
  minSessionTimeoutMs: 6_000,
});
