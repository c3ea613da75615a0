import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceApp } from '@footfall/service-kit';
import type { JWK } from 'jose';
import Provider from 'oidc-provider';
import { AuthenticatedClients } from './authenticated-clients.ts';
import type { Pool } from './database-pool.ts';
import { pinRequestOrigin } from './issuer-origin.ts';
import { describeProviderConfiguration, type ProviderSettings } from './oidc-configuration.ts';
import { replaceSelfSubmittingForms } from './self-submitting-forms.ts';
import { loadSigningKeys } from './signing-keys.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Log = ServiceApp['log'];

/**
 * The running oidc-provider and the keys it signs with. The provider's key set is fixed when it
 * is built, so when the database holds a different set (a rotation), a new provider replaces it;
 * all state is in the database, so nothing is lost in the swap.
 */
export class OidcServer {
  readonly #issuer: string;
  readonly #settings: Omit<ProviderSettings, 'keys'>;
  readonly #pool: Pool;
  readonly #log: Log;
  /** The request logger of each request in flight, so provider failures carry the request id. */
  readonly #requestLogs = new WeakMap<IncomingMessage, Log>();
  readonly #onBuild: (provider: Provider) => void;
  readonly #authenticatedClients = new AuthenticatedClients();
  #keyIds = '';
  #handler: Handler | undefined;
  #provider: Provider | undefined;

  constructor(
    issuer: string,
    settings: Omit<ProviderSettings, 'keys'>,
    pool: Pool,
    log: Log,
    onBuild: (provider: Provider) => void = () => {},
  ) {
    this.#issuer = issuer;
    this.#settings = settings;
    this.#pool = pool;
    this.#log = log;
    this.#onBuild = onBuild;
  }

  /** Hands a request under the issuer's path to the provider; `log` is that request's logger. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, log: Log): void => {
    if (this.#handler === undefined) throw new TypeError('OidcServer.refreshKeys was never called');
    this.#requestLogs.set(req, log);
    this.#handler(req, res);
  };

  /** The client the provider authenticated for a credential endpoint's answer, if any. */
  readonly authenticatedClientOf = (response: ServerResponse): string | undefined =>
    this.#authenticatedClients.of(response);

  /** The current oidc-provider instance, for its models (Grant, RefreshToken, ...). */
  get provider(): Provider {
    if (this.#provider === undefined)
      throw new TypeError('OidcServer.refreshKeys was never called');
    return this.#provider;
  }

  /** Loads the signing keys and rebuilds the provider if they changed; true when it did. */
  async refreshKeys(): Promise<boolean> {
    const keys = await loadSigningKeys(this.#pool);
    const keyIds = keys.map((key) => key.kid).join(' ');
    if (keyIds === this.#keyIds) return false;

    this.#provider = this.#build(keys);
    this.#handler = this.#provider.callback() as Handler;
    this.#keyIds = keyIds;
    this.#log.info({ keyIds: keys.map((key) => key.kid) }, 'signing keys loaded');
    return true;
  }

  #build(keys: JWK[]): Provider {
    const provider = new Provider(
      this.#issuer,
      describeProviderConfiguration({ ...this.#settings, keys }),
    );
    pinRequestOrigin(provider, this.#issuer);
    provider.use(this.#authenticatedClients.record);
    provider.use(replaceSelfSubmittingForms());

    provider.on('server_error', (ctx, error) => {
      const log = this.#requestLogs.get(ctx.req) ?? this.#log;
      log.error({ err: error }, 'oidc provider failed');
    });
    this.#onBuild(provider);
    return provider;
  }
}
