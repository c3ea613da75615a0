import type { MessagingLogger } from '../src/index.ts';

/** One call a transport made on its logger. */
export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** A MessagingLogger that keeps what it was told, for tests to read. */
export class LoggedLines implements MessagingLogger {
  readonly lines: LoggedLine[] = [];

  info(details: object, message: string): void {
    this.lines.push({ level: 'info', message, details: { ...details } });
  }

  warn(details: object, message: string): void {
    this.lines.push({ level: 'warn', message, details: { ...details } });
  }

  error(details: object, message: string): void {
    this.lines.push({ level: 'error', message, details: { ...details } });
  }

  /** The warnings and errors, as `level: message`, for an assertion that names them. */
  problems(): string[] {
    return this.lines
      .filter((line) => line.level !== 'info')
      .map((line) => `${line.level}: ${line.message}`);
  }
}
