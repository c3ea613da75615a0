/**
 * The logging surface this library needs: pino-compatible, object first and a short fixed
 * message second. Optional everywhere, so library code never writes to stdout on its own.
 */
export interface DbLogger {
  info(details: object, message: string): void;
}

/** Discards everything; used when the caller passes no logger. */
export const silentLogger: DbLogger = Object.freeze({ info: () => {} });
