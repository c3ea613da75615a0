import type { DestinationStream, LoggerOptions } from 'pino';
import { pino } from 'pino';
import { redactLogValue } from './log-redaction.ts';
import { scrubUrlCredentials } from './text-scrubbing.ts';

export interface LoggerSettings {
  readonly service: string;
  readonly version: string;
  readonly level: string;
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  readonly destination?: DestinationStream | undefined;
}

/**
 * pino options shared by every service: JSON lines, ISO time, service name, redaction. Redaction
 * matches keys by pattern at any depth, which pino's path-based `redact` cannot do (and its
 * wildcard paths cost far more per line than this walk).
 */
export function buildLoggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service, version: settings.version },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactLogValue(bindings) as typeof bindings,
      log: (object) => redactLogValue(object) as typeof object,
    },
    // pino runs the log formatter first, so a logged err arrives here serialised and redacted
    // already; pino's (and fastify's) own err serializer would serialise it again as an Object.
    // Only a child's bindings skip the formatter, so only there does a raw Error still come.
    serializers: {
      err: (error: unknown) => (error instanceof Error ? redactLogValue(error) : error),
    },
    hooks: { logMethod: scrubMessages },
  };
}

/** Messages are meant to be fixed strings, but a library's message may carry a URL. */
function scrubMessages(this: pino.Logger, args: unknown[], method: pino.LogFn): void {
  const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubUrlCredentials(arg) : arg));
  method.apply(this, scrubbed as Parameters<pino.LogFn>);
}

/** A logger for code that runs outside a request, such as start-up and shutdown. */
export function createLogger(settings: LoggerSettings) {
  return pino(buildLoggerOptions(settings), settings.destination ?? standardOutput());
}

// Asynchronous writes to stdout. A minimum length of one byte still writes every line at once,
// but makes flush(done) wait for the writes in flight (at zero it calls back immediately), which
// the shutdown relies on to see a broken pipe before exiting.
function standardOutput() {
  return pino.destination({ dest: 1, minLength: 1 });
}

export type Logger = ReturnType<typeof createLogger>;
