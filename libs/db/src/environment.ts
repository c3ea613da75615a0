import { ConfigError, loadConfig } from '@footfall/service-kit/config';
import { z } from 'zod';
import { DbError } from './db-error.ts';

/** A `postgres://` or `postgresql://` URL, for variables such as DATABASE_OWNER_URL. */
export const postgresUrlSchema = z.url({
  protocol: /^postgres(ql)?$/,
  error: (issue) =>
    issue.input === undefined ? 'is not set' : 'must be a postgres:// or postgresql:// URL',
});

/**
 * Validates environment variables against a zod object shape, for the command-line entry points:
 * the kit's loadConfig (an empty variable counts as unset, the result is frozen), its failure
 * reported in this library's catalogue. Throws DB_CONFIG_INVALID naming every bad variable and
 * what is wrong with it; values are never repeated, since they are mostly secrets.
 */
export function parseEnvironment<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<z.infer<z.ZodObject<Shape>>> {
  try {
    return loadConfig(z.object(shape), env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;

    const problems = error.issues.map((issue) => `${issue.variable} ${issue.problem}`);
    throw new DbError('DB_CONFIG_INVALID', { problems: problems.join('; ') }, { cause: error });
  }
}
