import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

/** One client the local token endpoint knows: its secret and what it may ask for. */
export interface LocalClient {
  readonly secret: string;
  readonly resources: readonly string[];
  readonly scopes: readonly string[];
  readonly role?: string;
}

export interface SignOptions {
  /** Claims merged over (or, with undefined, removing) the defaults. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly kid?: string;
  readonly typ?: string;
}

interface SigningKey {
  readonly alg: 'ES256' | 'EdDSA';
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  published: boolean;
}

/**
 * A small authorization server on 127.0.0.1 for the library's own tests and bench: real keys
 * from jose, a real JWKS over HTTP, discovery metadata and a client-credentials token endpoint.
 * It counts requests so tests can see caching and single-flight. The real auth service is
 * tested end to end separately.
 */
export class LocalIssuer {
  readonly keys = new Map<string, SigningKey>();
  readonly clients = new Map<string, LocalClient>();
  readonly requests = { jwks: 0, token: 0, discovery: 0 };
  /** Seconds a token from the token endpoint lives. */
  tokenLifetimeSeconds = 300;
  /** When set, the token endpoint answers this instead of issuing a token. */
  tokenFailure: { status: number; body: string } | undefined;
  currentKid = '';
  issuer = '';

  readonly #server = createServer((request, response) => {
    this.#route(request, response).catch(() => response.writeHead(500).end());
  });

  /** Starts the server and its first signing key. Register `afterAll(() => issuer.close())`. */
  static async start(): Promise<LocalIssuer> {
    const issuer = new LocalIssuer();
    await new Promise<void>((resolve) => issuer.#server.listen(0, '127.0.0.1', resolve));
    const { port } = issuer.#server.address() as AddressInfo;
    issuer.issuer = `http://127.0.0.1:${port}`;
    await issuer.rotate('ES256');
    return issuer;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  get tokenEndpoint(): string {
    return `${this.issuer}/token`;
  }

  /** Adds a key, published or not, and (when published) signs with it from now on. */
  async rotate(alg: 'ES256' | 'EdDSA' = 'ES256', published = true): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `key-${this.keys.size + 1}-${alg}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };

    this.keys.set(kid, { alg, privateKey, publicKey, publicJwk, published });
    if (published) {
      this.currentKid = kid;
    }
    return kid;
  }

  /** The current key's public half as PEM: what an attacker can read from the JWKS. */
  async publicKeyPem(): Promise<string> {
    return exportSPKI(this.#key(this.currentKid).publicKey);
  }

  /** Signs an access token for `audience`, valid for five minutes unless the claims say not. */
  async sign(audience: string, options: SignOptions = {}): Promise<string> {
    const kid = options.kid ?? this.currentKid;
    const key = this.#key(kid);
    const now = Math.floor(Date.now() / 1000);
    const claims = withoutUndefined({
      iss: this.issuer,
      aud: audience,
      sub: 'service-a',
      client_id: 'service-a',
      scope: 'stores:read',
      iat: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
      ...options.claims,
    });

    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid, typ: options.typ ?? 'at+jwt' })
      .sign(key.privateKey);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #key(kid: string): SigningKey {
    const key = this.keys.get(kid);
    if (key === undefined) {
      throw new TypeError(`no key ${kid}`);
    }
    return key;
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET' && request.url === '/jwks') {
      this.requests.jwks += 1;
      const keys = [...this.keys.values()].filter((key) => key.published);
      return sendJson(response, 200, { keys: keys.map((key) => key.publicJwk) });
    }

    if (request.method === 'GET' && request.url === '/.well-known/openid-configuration') {
      this.requests.discovery += 1;
      const metadata = { issuer: this.issuer, token_endpoint: this.tokenEndpoint };
      return sendJson(response, 200, { ...metadata, jwks_uri: this.jwksUrl });
    }

    if (request.method === 'POST' && request.url === '/token') {
      this.requests.token += 1;
      return this.#issue(request, response);
    }

    response.writeHead(404).end();
  }

  async #issue(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));

    if (this.tokenFailure !== undefined) {
      const { status, body } = this.tokenFailure;
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      return;
    }

    const client = this.#authenticate(request.headers.authorization, form);
    if (client === undefined) {
      return sendJson(response, 401, { error: 'invalid_client' });
    }

    const refusal = checkGrant(form, client.client);
    if (refusal !== undefined) {
      return sendJson(response, 400, { error: refusal });
    }

    const token = await this.#issueFor(client.id, client.client, form);
    return sendJson(response, 200, token);
  }

  /** Either HTTP Basic with form-encoded parts, or client_id and client_secret in the form. */
  #authenticate(header: string | undefined, form: URLSearchParams) {
    const encoded = /^Basic (.+)$/.exec(header ?? '')?.[1];
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    const [id = '', secret = ''] =
      encoded === undefined
        ? [form.get('client_id') ?? '', form.get('client_secret') ?? '']
        : Buffer.from(encoded, 'base64').toString().split(':').map(decode);
    const client = this.clients.get(id);

    return client?.secret === secret ? { id, client } : undefined;
  }

  async #issueFor(clientId: string, client: LocalClient, form: URLSearchParams) {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: clientId,
      client_id: clientId,
      scope: form.get('scope') ?? '',
      role: client.role,
      exp: now + this.tokenLifetimeSeconds,
    };
    const value = await this.sign(form.get('resource') ?? '', { claims });

    return { access_token: value, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds };
  }
}

function checkGrant(form: URLSearchParams, client: LocalClient): string | undefined {
  if (form.get('grant_type') !== 'client_credentials') {
    return 'unsupported_grant_type';
  }

  if (!client.resources.includes(form.get('resource') ?? '')) {
    return 'invalid_target';
  }

  const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
  return scopes.every((scope) => client.scopes.includes(scope)) ? undefined : 'invalid_scope';
}

function withoutUndefined(claims: Readonly<Record<string, unknown>>): JWTPayload {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString();
}
