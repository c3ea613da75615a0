/**
 * What the auth service needs to start against a suite's test databases, shared by the tests that
 * run it as a process and the auth service's own tests, which run its app in theirs.
 */
import { randomBytes } from 'node:crypto';
import { type ServiceClientId, serviceClientIds } from '@footfall/contracts';
import type { TestDatabases } from './service-databases.ts';

export interface AuthServiceSetting {
  readonly databases: TestDatabases;
  /** The loopback port it listens on; the issuer is `http://127.0.0.1:<port>/oidc`. */
  readonly port: number;
  /** The secret each service client authenticates with. */
  readonly clientSecrets: Readonly<Record<ServiceClientId, string>>;
}

/** The auth service's environment: its databases, a loopback issuer, secrets and a cookie key. */
export function authServiceEnvironment(setting: AuthServiceSetting): Record<string, string> {
  const { databases, port } = setting;

  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databases.services.auth.runtimeUrl,
    MESSAGING_DATABASE_URL: databases.messaging.clientUrls.footfall_auth_app ?? '',
    AUTH_ISSUER: `http://127.0.0.1:${port}/oidc`,
    AUTH_CLIENT_SECRETS: JSON.stringify(setting.clientSecrets),
    AUTH_COOKIE_KEYS: randomSecret(),
  };
}

/** A random secret per service client, as `pnpm start` makes them. */
export function generateClientSecrets(): Record<ServiceClientId, string> {
  const entries = serviceClientIds.map((id) => [id, randomSecret()]);

  return Object.fromEntries(entries) as Record<ServiceClientId, string>;
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
