/**
 * The APIs that accept access tokens from this server, the scopes each understands, which client
 * may obtain which of them, and which only platform admins may hold. The one place these are
 * defined; docs/auth.md lists them.
 * A token always names exactly one of these as its audience.
 */
export interface ResourceServerDefinition {
  /** The resource indicator (RFC 8707) a client asks for, and the token's `aud`. */
  readonly resource: string;
  /** The service that verifies tokens for this resource. */
  readonly service: string;
  /** Every scope the resource understands, with what it allows. */
  readonly scopes: Readonly<Record<string, string>>;
  /** Keyed by client id: the scopes that client may be granted for this resource. */
  readonly clients: Readonly<Record<string, readonly string[]>>;
  /**
   * Scopes a person signing in is granted only as a platform admin, whatever the client may ask
   * for: a customer user's token never carries them, so no service has to remember to check.
   */
  readonly platformAdminScopes: readonly string[];
  /**
   * `jwt`: verified offline against the JWKS, cannot be revoked before it expires. `opaque`: a
   * reference only this server can resolve, by introspection; revocable at once.
   */
  readonly tokenFormat: 'jwt' | 'opaque';
}

/** Every access token lives this long at most: short, since a JWT cannot be recalled. */
export const accessTokenTtlSeconds = 300;

export const resourceServers: readonly ResourceServerDefinition[] = [
  {
    resource: 'urn:footfall:customer',
    service: 'customer',
    scopes: {
      'customer:read': 'read customers, stores, their settings and the router registry',
      'customer:admin': 'create and change customers, stores and routers (platform admins)',
    },
    clients: {
      'tracking-ingestion': ['customer:read'],
      'tracking-computation': ['customer:read'],
      dashboard: ['customer:read'],
      'footfall-cli': ['customer:read', 'customer:admin'],
    },
    platformAdminScopes: ['customer:admin'],
    tokenFormat: 'jwt',
  },
  {
    resource: 'urn:footfall:tracking-ingestion',
    service: 'tracking-ingestion',
    scopes: { 'ingestion:reingest': 'replay stored raw batches into the processing stream' },
    clients: { customer: ['ingestion:reingest'], 'footfall-cli': ['ingestion:reingest'] },
    platformAdminScopes: ['ingestion:reingest'],
    tokenFormat: 'jwt',
  },
  {
    resource: 'urn:footfall:tracking-computation',
    service: 'tracking-computation',
    scopes: { 'computation:read': 'read processing status and the processed-batch ledger' },
    clients: { dashboard: ['computation:read'], 'footfall-cli': ['computation:read'] },
    platformAdminScopes: ['computation:read'],
    tokenFormat: 'jwt',
  },
  {
    resource: 'urn:footfall:auth',
    service: 'auth',
    scopes: { 'auth:users:write': 'create, invite, reset and disable user accounts' },
    clients: { customer: ['auth:users:write'] },
    platformAdminScopes: [],
    // The auth service is its own resource server: it resolves these against its own database,
    // so they are revocable and introspectable (oidc-provider does neither for JWTs).
    tokenFormat: 'opaque',
  },
];

/** The definition of one resource indicator, or undefined when no such resource exists. */
export function findResourceServer(resource: string): ResourceServerDefinition | undefined {
  return resourceServers.find((server) => server.resource === resource);
}

/** Every scope a client may be granted, over all resources; its `scope` metadata. */
export function scopesOfClient(clientId: string): string[] {
  return resourceServers.flatMap((server) => server.clients[clientId] ?? []);
}

/** Every scope reserved for platform admins, over all resources. */
export function allPlatformAdminScopes(): string[] {
  return resourceServers.flatMap((server) => server.platformAdminScopes);
}

/** Every scope of every resource; the provider's list of scopes it recognises. */
export function allResourceScopes(): string[] {
  return resourceServers.flatMap((server) => Object.keys(server.scopes));
}
