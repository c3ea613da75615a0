/**
 * Codes of the failures this library reports for bad input from outside: configuration, role
 * passwords and migration files. Programming mistakes throw a TypeError instead. Each code is
 * listed in docs/database.md (a test keeps the two in step); callers switch on `code`.
 */
export const dbErrorMessages = {
  DB_CONFIG_INVALID: 'invalid configuration: {problems}',
  DB_BOOTSTRAP_PASSWORDS_INVALID: 'role passwords are missing or unusable: {problems}',
  DB_MIGRATION_FILENAME_INVALID: 'migration file {file} is not named NNNN_name.sql',
  DB_MIGRATION_DUPLICATE_VERSION: 'migration version {version} is used by {files}',
  DB_MIGRATION_CHECKSUM_MISMATCH: 'applied migration {migration} was edited after it ran',
  DB_MIGRATION_FILE_MISSING: 'applied migration {migration} has no file in {directory}',
  DB_MIGRATION_OUT_OF_ORDER: 'migration {migration} is older than the newest applied {current}',
  DB_MIGRATION_FAILED: 'migration {migration} failed and was rolled back',
} as const;

export type DbErrorCode = keyof typeof dbErrorMessages;

export type DbErrorParams = Readonly<Record<string, string | number>>;

/** A database-level failure with a stable code; `params` are the values named in the message. */
export class DbError extends Error {
  readonly code: DbErrorCode;
  readonly params: DbErrorParams;

  constructor(code: DbErrorCode, params: DbErrorParams, options?: ErrorOptions) {
    super(fillTemplate(dbErrorMessages[code], params), options);
    this.name = 'DbError';
    this.code = code;
    this.params = params;
  }
}

/** Narrows an unknown thrown value to a DbError with the given code. */
export function isDbError(error: unknown, code?: DbErrorCode): error is DbError {
  return error instanceof DbError && (code === undefined || error.code === code);
}

function fillTemplate(template: string, params: DbErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in params ? String(params[name]) : placeholder,
  );
}
