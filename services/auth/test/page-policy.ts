/**
 * What every HTML page of the auth service must be, the provider's included: checks for its
 * Content-Security-Policy and markup, and a reader for the one-button forms of provider steps.
 */
import { decodeEntities } from '@footfall/testing';
import { expect } from 'vitest';

/** The directives of a Content-Security-Policy header, each name mapped to its sources. */
export function directivesOf(header: string | null): Map<string, string> {
  const directives = (header ?? '').split(';').map((part) => part.trim().split(/\s+/));
  const names = directives.map(([name = '']) => name);
  // A second policy merged into the header (e.g. a default one) would repeat directive names.
  expect(new Set(names).size).toBe(names.length);

  return new Map(directives.map(([name = '', ...sources]) => [name, sources.join(' ')]));
}

/** What every auth page must carry: the strict CSP, no caching, and no script or inline style. */
export function expectStrictPage(response: Pick<Response, 'headers'>, html: string): void {
  const csp = directivesOf(response.headers.get('content-security-policy'));
  expect(csp.get('default-src')).toBe("'none'");
  expect(csp.get('script-src')).toBe("'none'");
  expect(csp.get('frame-ancestors')).toBe("'none'");
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('content-type')).toMatch(/^text\/html\b/);

  expect(html).toMatch(/^<!doctype html>/);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<style/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
}

export interface ButtonForm {
  /** Where the form posts, absolute against `base`. */
  readonly action: URL;
  /** The hidden fields, decoded. */
  readonly fields: Record<string, string>;
  /** What the button sends besides the fields: `{ name: value }`, or nothing. */
  readonly button: Record<string, string>;
}

/** The one form on a provider step's page (sign-out, continue), read as a browser would. */
export function buttonFormOf(html: string, base: string | URL): ButtonForm {
  const forms = [...html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)];
  const [, action = '', body = ''] = forms[0] ?? [];
  const buttons = [...body.matchAll(/<button type="submit"(?: name="([^"]*)" value="([^"]*)")?>/g)];
  if (forms.length !== 1 || buttons.length !== 1)
    throw new Error(`not a one-button form:\n${html}`);

  const hidden = body.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g);
  const fields = Object.fromEntries([...hidden].map(([, name = '', value = '']) => [name, value]));
  const [, name, value = ''] = buttons[0] ?? [];

  return {
    action: new URL(decodeEntities(action), base),
    fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, decodeEntities(v)])),
    button: name === undefined ? {} : { [name]: decodeEntities(value) },
  };
}
