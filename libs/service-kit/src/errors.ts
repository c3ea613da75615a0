/** What a client may learn about one kind of failure: a stable code, a status and a message. */
export interface ErrorDefinition {
  readonly statusCode: number;
  /**
   * A template; `{name}` is replaced by the matching parameter when the error is created. A 5xx
   * template takes no parameters: its detail belongs in the log, not in the response.
   */
  readonly message: string;
}

export type ErrorCatalogue = Readonly<Record<string, ErrorDefinition>>;

export interface AppErrorOptions {
  readonly params?: Readonly<Record<string, string | number>>;
  /** Safe, structured detail for the client, such as which fields failed validation. */
  readonly details?: unknown;
  readonly cause?: unknown;
}

/**
 * An error a client is meant to see. Anything thrown that is not an AppError is treated as a
 * bug: the client gets a generic 500 and the detail goes to the log and Sentry.
 */
export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: unknown;
  /** What the response says: the filled message for a 4xx, the bare template for a 5xx. */
  readonly publicMessage: string;

  constructor(code: string, definition: ErrorDefinition, options: AppErrorOptions = {}) {
    super(fillTemplate(definition.message, options.params), { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = definition.statusCode;
    this.details = options.details;
    this.publicMessage = definition.statusCode >= 500 ? definition.message : this.message;
  }
}

/** A service's catalogue, with a typed factory so only catalogued codes can be raised. */
export interface ErrorFactory<Codes extends string> {
  readonly catalogue: Readonly<Record<Codes, ErrorDefinition>>;
  create(code: Codes, options?: AppErrorOptions): AppError;
}

/**
 * Declares a catalogue of coded errors. Codes are upper snake case, statuses must be 4xx or 5xx,
 * and 5xx messages are fixed; a mistake here is a programming error, so it throws a TypeError at
 * import time.
 */
export function defineErrors<const Catalogue extends Record<string, ErrorDefinition>>(
  catalogue: Catalogue,
): ErrorFactory<keyof Catalogue & string> {
  for (const [code, definition] of Object.entries(catalogue)) {
    assertValidDefinition(code, definition);
  }

  const frozen = Object.freeze({ ...catalogue });

  return Object.freeze({
    catalogue: frozen,
    create(code: keyof Catalogue & string, options?: AppErrorOptions) {
      return new AppError(code, frozen[code] as ErrorDefinition, options);
    },
  });
}

function assertValidDefinition(code: string, definition: ErrorDefinition): void {
  if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) {
    throw new TypeError(`error code ${code} must be upper snake case with a prefix`);
  }

  if (definition.statusCode < 400 || definition.statusCode > 599) {
    throw new TypeError(`error code ${code} must have a 4xx or 5xx status`);
  }

  if (definition.statusCode >= 500 && placeholder.test(definition.message)) {
    throw new TypeError(`error code ${code} is a 5xx, so its message may not take parameters`);
  }
}

const placeholder = /\{\w+\}/;

function fillTemplate(template: string, params: AppErrorOptions['params']): string {
  if (params === undefined) {
    return template;
  }

  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in params ? String(params[name]) : placeholder,
  );
}
