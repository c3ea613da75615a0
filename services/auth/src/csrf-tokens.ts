import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for the auth pages, derived from what the form is about (an interaction uid, a
 * password link) with a server key, so no state is kept and any replica can check them. They are
 * defence in depth: the provider's interaction cookie already ties an interaction to the browser.
 */
export class CsrfTokens {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  issue(purpose: string, subject: string): string {
    return createHmac('sha256', this.#key)
      .update(`csrf\0${purpose}\0${subject}`)
      .digest('base64url');
  }

  verify(purpose: string, subject: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;

    const expected = Buffer.from(this.issue(purpose, subject));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
