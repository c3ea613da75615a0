import { ConfigError, loadConfig } from '@footfall/service-kit';
import { describe, expect, it } from 'vitest';
import { serviceClientIds } from '../src/clients.ts';
import { configSchema } from '../src/config.ts';

const secret = 's'.repeat(32);
const valid = {
  DATABASE_URL: 'postgres://footfall_auth_app:pw@127.0.0.1:5432/footfall_auth',
  MESSAGING_DATABASE_URL: 'postgres://footfall_auth_app:pw@127.0.0.1:5432/footfall_messaging',
  AUTH_ISSUER: 'http://127.0.0.1:4101/oidc',
  AUTH_CLIENT_SECRETS: JSON.stringify(
    Object.fromEntries(serviceClientIds.map((id) => [id, secret])),
  ),
  AUTH_COOKIE_KEYS: `${secret},${'t'.repeat(40)}`,
};

/** The variables a parse failure names. */
function failingVariables(env: Record<string, string>): string[] {
  const result = configSchema.safeParse(env);

  return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
}

describe('auth configuration', () => {
  it('accepts a complete environment and splits the lists', () => {
    const config = configSchema.parse(valid);

    expect(config.AUTH_COOKIE_KEYS).toHaveLength(2);
    expect(config.AUTH_CLIENT_SECRETS.customer).toBe(secret);
    expect(config.AUTH_DASHBOARD_REDIRECT_URIS).toEqual(['http://127.0.0.1:4100/auth/callback']);
  });

  it.each([
    ['an issuer without a path', { AUTH_ISSUER: 'http://127.0.0.1:4101' }],
    ['an issuer with a trailing slash', { AUTH_ISSUER: 'http://127.0.0.1:4101/oidc/' }],
    ['secrets that are not JSON', { AUTH_CLIENT_SECRETS: 'customer=abc' }],
    [
      'a short client secret',
      { AUTH_CLIENT_SECRETS: valid.AUTH_CLIENT_SECRETS.replace(secret, 'short') },
    ],
    ['a missing client secret', { AUTH_CLIENT_SECRETS: JSON.stringify({ customer: secret }) }],
    [
      'an unknown client',
      { AUTH_CLIENT_SECRETS: valid.AUTH_CLIENT_SECRETS.replace('}', `,"x":"${secret}"}`) },
    ],
    ['a short cookie key', { AUTH_COOKIE_KEYS: 'short' }],
    [
      'a dashboard redirect on an IPv6 address',
      { AUTH_DASHBOARD_REDIRECT_URIS: 'http://[::1]:4100/auth/callback' },
    ],
  ])('refuses %s, naming the variable', (_case, override) => {
    const [variable] = Object.keys(override);

    expect(failingVariables({ ...valid, ...override })).toContain(variable);
  });

  it.each([
    'http://localhost:4101/oidc',
    'http://127.0.0.1:4101/oidc',
    'http://127.8.9.10/oidc',
    'http://[::1]:4101/oidc',
    'https://auth.footfall.example/oidc',
  ])('accepts the issuer %s', (issuer) => {
    expect(failingVariables({ ...valid, AUTH_ISSUER: issuer })).toEqual([]);
  });

  it.each([
    'http://auth.footfall.example/oidc',
    'http://10.0.0.7:4101/oidc',
    'http://localhost.footfall.example/oidc',
    'http://128.0.0.1/oidc',
  ])('refuses the plain-HTTP issuer %s, saying https is required', (issuer) => {
    const load = () => loadConfig(configSchema, { ...valid, AUTH_ISSUER: issuer });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/AUTH_ISSUER: must use https unless its host is loopback/);
  });

  it('requires the issuer, the client secrets and the cookie keys', () => {
    const { AUTH_ISSUER, AUTH_CLIENT_SECRETS, AUTH_COOKIE_KEYS, ...rest } = valid;

    expect(failingVariables(rest)).toEqual(
      expect.arrayContaining(['AUTH_ISSUER', 'AUTH_CLIENT_SECRETS', 'AUTH_COOKIE_KEYS']),
    );
  });
});
