import { ConfigError, loadConfig } from '@footfall/service-kit';
import { dashboardRedirect } from '@footfall/testing';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.ts';
import {
  failingVariables,
  clientSecret as secret,
  validEnvironment as valid,
} from './config-environment.ts';

describe('auth configuration', () => {
  it('accepts a complete environment and splits the lists', () => {
    const config = configSchema.parse(valid);

    expect(config.AUTH_COOKIE_KEYS).toHaveLength(2);
    expect(config.AUTH_CLIENT_SECRETS.customer).toBe(secret);
    expect(config.AUTH_DASHBOARD_REDIRECT_URIS).toEqual([dashboardRedirect]);
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
