import type Provider from 'oidc-provider';

/**
 * Makes the provider see every request as addressed to the issuer's origin. oidc-provider builds
 * the URLs it publishes and redirects to (discovery, form actions, its own resume and sign-out
 * steps) from the request's scheme and Host header: left alone, a forged Host would put another
 * origin in them, and behind a TLS proxy the scheme would read `http`. The issuer is configured
 * and validated, so it is the one origin these URLs may name; no forwarded header is trusted.
 */
export function pinRequestOrigin(provider: Provider, issuer: string): void {
  const { protocol, host } = new URL(issuer);
  const scheme = protocol.slice(0, -1);

  // Koa builds each request from this per-app prototype: href, origin, hostname and secure (and
  // so the Secure flag on the provider's cookies) all read these two getters.
  Object.defineProperties(provider.request, {
    host: { get: () => host, configurable: true },
    protocol: { get: () => scheme, configurable: true },
  });
}
