import { type ServiceClientId, serviceClientIds } from '@footfall/contracts';
import type { ClientMetadata } from 'oidc-provider';
import { scopesOfClient } from './resource-servers.ts';

/** The admin command-line tool: a public native client (RFC 8252), so no secret. */
export const cliClientId = 'footfall-cli';

/**
 * The loopback redirect URI of the CLI; any port is accepted on it (RFC 8252, section 7.3). Not
 * the IPv6 loopback as well: the pages' Content-Security-Policy must allow the redirect after
 * sign-in (form-action), and CSP has no way to write an IPv6 address.
 */
export const cliRedirectUris = ['http://127.0.0.1/callback'];

export interface ClientSettings {
  /** Keyed by service client id; compared as given by the provider, never logged. */
  readonly secrets: Readonly<Record<ServiceClientId, string>>;
  /** Where the dashboard's backend-for-frontend receives authorization codes, exactly. */
  readonly dashboardRedirectUris: readonly string[];
}

/**
 * Every client the server knows, as oidc-provider metadata. Clients are static configuration, so
 * every replica holds the same list and nothing about them needs the database.
 */
export function describeClients(settings: ClientSettings): ClientMetadata[] {
  const services = serviceClientIds.map((id) => serviceClient(id, settings.secrets[id]));
  const dashboard = services.find((client) => client.client_id === 'dashboard');

  // The dashboard is also the backend-for-frontend of people's browser sessions.
  Object.assign(dashboard ?? {}, {
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...settings.dashboardRedirectUris],
    scope: ['openid', 'offline_access', ...scopesOfClient('dashboard')].join(' '),
  });

  return [...services, cliClient()];
}

function serviceClient(id: string, secret: string): ClientMetadata {
  return {
    client_id: id,
    client_secret: secret,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: scopesOfClient(id).join(' '),
  };
}

function cliClient(): ClientMetadata {
  return {
    client_id: cliClientId,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...cliRedirectUris],
    scope: ['openid', 'offline_access', ...scopesOfClient(cliClientId)].join(' '),
  };
}
