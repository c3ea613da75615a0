import { z } from 'zod';
import { DbError } from './db-error.ts';

/** A `postgres://` or `postgresql://` URL, for variables such as DATABASE_OWNER_URL. */
export const postgresUrlSchema = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'must be a postgres:// or postgresql:// URL',
});

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates environment variables against a zod object schema, for the command-line entry
 * points. Throws DB_CONFIG_INVALID naming every bad variable and what is wrong with it; values
 * are never repeated, since they are mostly secrets.
 */
export function parseEnvironment<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Environment,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);

  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new DbError('DB_CONFIG_INVALID', { problems: problems.join('; ') });
  }

  return result.data;
}
