import { z } from 'zod';
import { DbError } from './db-error.ts';

/** A `postgres://` or `postgresql://` URL, for variables such as DATABASE_OWNER_URL. */
export const postgresUrlSchema = z.url({
  protocol: /^postgres(ql)?$/,
  error: (issue) =>
    issue.input === undefined ? 'is not set' : 'must be a postgres:// or postgresql:// URL',
});

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates environment variables against a zod object schema, for the command-line entry
 * points. An empty variable (`FOO=`) counts as unset, as in every service's configuration. Throws
 * DB_CONFIG_INVALID naming every bad variable and what is wrong with it; values are never
 * repeated, since they are mostly secrets.
 */
export function parseEnvironment<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Environment,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(withoutEmptyValues(env));

  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new DbError('DB_CONFIG_INVALID', { problems: problems.join('; ') });
  }

  return result.data;
}

// `FOO=` in a shell or a Helm value is how people leave a variable unset; so its default applies.
function withoutEmptyValues(env: Environment): Environment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}
