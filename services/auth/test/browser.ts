/**
 * A minimal browser for the sign-in pages: it keeps cookies by path, follows redirects one at a
 * time, and submits the pages' forms as a person would. Good enough to drive oidc-provider's
 * interaction cookies; it runs no script, which the pages do not have anyway.
 */
export class Browser {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  /** One request, no redirect followed; cookies sent and stored. */
  async request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}) {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = this.#cookieHeader(target.pathname);
    if (cookie !== '') headers.cookie = cookie;
    if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';

    const response = await fetch(target, {
      method: init.method ?? (init.form === undefined ? 'GET' : 'POST'),
      headers,
      redirect: 'manual',
      ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }),
    });
    this.#store(response.headers.getSetCookie(), target.pathname);
    return response;
  }

  /**
   * Follows redirects from `url` until one leaves for `stopAt` (a client's redirect URI) and
   * returns that location, or until a page answers, which is returned as the response.
   */
  async follow(url: string | URL, stopAt: string): Promise<URL | Response> {
    let next = new URL(url);

    for (let hop = 0; hop < 20; hop += 1) {
      if (next.href.startsWith(stopAt)) return next;

      const response = await this.request(next);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return response;

      await response.arrayBuffer();
      next = new URL(location, next);
    }
    throw new Error('too many redirects');
  }

  /** The value of a cookie the browser holds, e.g. the provider's `_session`. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  #cookieHeader(path: string): string {
    return [...this.#cookies]
      .filter(([, cookie]) => path.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  #store(setCookies: string[], requestPath: string) {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const path = attribute(attributes, 'path') ?? requestPath;
      const expires = attribute(attributes, 'expires');
      const removed = value === '' || (expires !== undefined && Date.parse(expires) < Date.now());

      if (removed) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }
}

function attribute(attributes: string[], name: string): string | undefined {
  const found = attributes.find((part) => part.toLowerCase().startsWith(`${name}=`));

  return found?.slice(name.length + 1);
}

export interface PageForm {
  readonly action: string;
  readonly csrf: string;
}

/** The form on an auth page: where it posts and its CSRF token. */
export function formOf(html: string): PageForm {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (action === undefined || csrf === undefined) throw new Error(`no form on the page:\n${html}`);

  return { action: decodeEntities(action), csrf: decodeEntities(csrf) };
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}
