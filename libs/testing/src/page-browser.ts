/**
 * Just enough of a browser to go through the auth service's pages as a person does: it keeps
 * cookies by path, follows redirects one at a time and posts the pages' forms. The pages have
 * no script, so nothing is lost by not running any.
 */
export class PageBrowser {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  /** One request, no redirect followed; cookies sent and stored. */
  async request(url: string | URL, form?: Record<string, string>): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = this.#cookieHeader(target.pathname);
    if (cookie !== '') headers.cookie = cookie;
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';

    const response = await fetch(target, {
      method: form === undefined ? 'GET' : 'POST',
      headers,
      redirect: 'manual',
      ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
    });
    this.#store(response.headers.getSetCookie(), target.pathname);
    return response;
  }

  /** Follows redirects until one leaves for `stopAt` (returned) or a page answers (returned). */
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

  #store(setCookies: string[], requestPath: string): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const path = attributeOf(attributes, 'path') ?? requestPath;
      const expires = attributeOf(attributes, 'expires');

      if (value === '' || (expires !== undefined && Date.parse(expires) < Date.now())) {
        this.#cookies.delete(name);
      } else {
        this.#cookies.set(name, { value, path });
      }
    }
  }
}

/** The one form of an auth page: where it posts and its CSRF token. */
export function pageFormOf(html: string): { action: string; csrf: string } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (action === undefined || csrf === undefined) throw new Error(`no form on the page:\n${html}`);

  return { action: decodeEntities(action), csrf: decodeEntities(csrf) };
}

function attributeOf(attributes: string[], name: string): string | undefined {
  const found = attributes.find((part) => part.toLowerCase().startsWith(`${name}=`));

  return found?.slice(name.length + 1);
}

/** Text from an auth page's HTML with its numeric character references (`&#39;`) decoded. */
export function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}
