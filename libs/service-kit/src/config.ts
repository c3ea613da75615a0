import type { z } from 'zod';
import { deepFreeze } from './deep-freeze.ts';

/** One environment variable that failed validation, and why. */
export interface ConfigIssue {
  readonly variable: string;
  readonly problem: string;
}

/**
 * Thrown once at start-up when the environment does not satisfy a service's schema. The message
 * names every bad variable, so an operator fixes them all in one pass instead of one per restart.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  ${issue.variable}: ${issue.problem}`);
    super(`invalid configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Parses the environment against a zod schema once and returns a deeply frozen result. Only the
 * entry point of a process calls this; everything below it receives the typed configuration.
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<z.output<Schema>> {
  const result = schema.safeParse(withoutEmptyValues(env));

  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.join('.') || '(environment)',
        problem: issue.message,
      })),
    );
  }

  return deepFreeze(result.data);
}

/** An empty variable (`FOO=`) means "not set", which lets defaults apply as operators expect. */
function withoutEmptyValues(env: Readonly<Record<string, string | undefined>>) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}
