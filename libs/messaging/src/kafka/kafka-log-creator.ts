import { type LogEntry, type logCreator, logLevel } from 'kafkajs';
import type { MessagingLogger } from '../message.ts';

// Fields of a kafkajs log entry that say where and what went wrong; the rest (stacks, request
// bodies) is left out so nothing a message carried can reach the log.
const keptFields = ['broker', 'groupId', 'topic', 'partition', 'error', 'retryCount'] as const;

/**
 * Routes kafkajs's own logging (console by default) to the transport's logger, warnings and
 * errors only, or nowhere when there is no logger.
 */
export function kafkaLogCreator(logger: MessagingLogger | undefined): logCreator {
  return () => (entry: LogEntry) => {
    if (logger === undefined) return;

    const details = { component: 'kafkajs', namespace: entry.namespace, ...keptDetails(entry) };
    if (entry.level === logLevel.ERROR) logger.error(details, entry.log.message);
    else logger.warn(details, entry.log.message);
  };
}

/** The kafkajs level matching kafkaLogCreator: nothing without a logger, else warnings up. */
export function kafkaLogLevel(logger: MessagingLogger | undefined): logLevel {
  return logger === undefined ? logLevel.NOTHING : logLevel.WARN;
}

function keptDetails(entry: LogEntry): Record<string, unknown> {
  const kept: Record<string, unknown> = {};

  for (const field of keptFields) {
    const value: unknown = entry.log[field];
    if (value !== undefined) kept[field] = value instanceof Error ? value.message : value;
  }

  return kept;
}
