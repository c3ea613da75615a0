import type { DestinationStream, LoggerOptions } from 'pino';
import { pino } from 'pino';
import { buildRedactionPaths, redactionCensor } from './log-redaction.ts';

export interface LoggerSettings {
  readonly service: string;
  readonly version: string;
  readonly level: string;
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  readonly destination?: DestinationStream | undefined;
}

/** pino options shared by every service: JSON lines, ISO time, service name, redaction. */
export function buildLoggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service, version: settings.version },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: buildRedactionPaths(), censor: redactionCensor },
  };
}

/** A logger for code that runs outside a request, such as start-up and shutdown. */
export function createLogger(settings: LoggerSettings) {
  return pino(buildLoggerOptions(settings), settings.destination ?? pino.destination(1));
}

export type Logger = ReturnType<typeof createLogger>;
