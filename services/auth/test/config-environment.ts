/**
 * A complete auth environment for the configuration tests, and what a parse of one names when
 * it fails: each test changes only the variables it is about.
 */
import { serviceClientIds } from '@footfall/contracts';
import { configSchema } from '../src/config.ts';

/** Every service client's secret in validEnvironment: just long enough. */
export const clientSecret = 's'.repeat(32);

/** What the service needs to start; two cookie keys, so the list is seen split. */
export const validEnvironment = {
  DATABASE_URL: 'postgres://footfall_auth_app:pw@127.0.0.1:5432/footfall_auth',
  MESSAGING_DATABASE_URL: 'postgres://footfall_auth_app:pw@127.0.0.1:5432/footfall_messaging',
  AUTH_ISSUER: 'http://127.0.0.1:4101/oidc',
  AUTH_CLIENT_SECRETS: JSON.stringify(
    Object.fromEntries(serviceClientIds.map((id) => [id, clientSecret])),
  ),
  AUTH_COOKIE_KEYS: `${clientSecret},${'t'.repeat(40)}`,
};

/** The variables a parse failure names; none when `env` is valid. */
export function failingVariables(env: Record<string, string>): string[] {
  const result = configSchema.safeParse(env);

  return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
}
