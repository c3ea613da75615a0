import { isDbError } from './db-error.ts';
import { parseEnvironment, postgresUrlSchema } from './environment.ts';
import { runMigrations } from './migrator.ts';
import { databaseFor, type ServiceName } from './role-model.ts';

/** Where a command writes its JSON line: the process's streams, or a test's buffer. */
export interface CommandOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface MigrateCliOptions {
  readonly service: ServiceName;
  /** The service's `migrations` directory. */
  readonly directory: string;
  /** Where DATABASE_OWNER_URL is read from; the entry point passes `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The result goes to `stdout`, a failure to `stderr`. @default process */
  readonly output?: CommandOutput;
}

/** What `src/migrate.ts` reads from its environment; docs/configuration.md lists it. */
export const migrateEnvironmentShape = { DATABASE_OWNER_URL: postgresUrlSchema };

/**
 * The body of every service's `src/migrate.ts`: validates DATABASE_OWNER_URL, applies the
 * service's migrations as the owner role, prints one JSON line (the result, or the failure with
 * its code) and returns the process exit code.
 */
export async function runMigrateCli(options: MigrateCliOptions): Promise<number> {
  const { schema } = databaseFor(options.service);
  const output = options.output ?? process;

  try {
    const env = parseEnvironment(migrateEnvironmentShape, options.env);
    const result = await runMigrations({
      connectionString: env.DATABASE_OWNER_URL,
      schema,
      directory: options.directory,
    });
    const done = { level: 'info', msg: 'migrations done', schema, ...result };
    output.stdout.write(`${JSON.stringify(done)}\n`);

    return 0;
  } catch (error) {
    output.stderr.write(`${JSON.stringify(describeFailure(schema, error))}\n`);

    return 1;
  }
}

// The server's own error (a syntax error in a file, say) is the useful part of a failed run.
function describeFailure(schema: string, error: unknown): object {
  const code = isDbError(error) ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;

  return { level: 'error', msg: 'migrations failed', schema, code, error: message, cause };
}
