import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authErrors as authClientErrors } from '../libs/auth-client/src/auth-errors.ts';
import { dbErrorMessages } from '../libs/db/src/db-error.ts';
import { messagingErrorMessages } from '../libs/messaging/src/messaging-error.ts';
import { httpErrors } from '../libs/service-kit/src/http-errors.ts';
import { authErrors } from '../services/auth/src/errors.ts';

const root = join(import.meta.dirname, '..');

/** One catalogue: where it is defined, and each code with its HTTP status when it has one. */
interface Catalogue {
  readonly source: string;
  readonly codes: Readonly<Record<string, number | undefined>>;
}

function withStatuses(factory: { catalogue: Record<string, { statusCode: number }> }) {
  const entries = Object.entries(factory.catalogue);
  return Object.fromEntries(entries.map(([code, definition]) => [code, definition.statusCode]));
}

function withoutStatuses(messages: Record<string, string>) {
  return Object.fromEntries(Object.keys(messages).map((code) => [code, undefined]));
}

const catalogues: readonly Catalogue[] = [
  { source: 'libs/service-kit/src/http-errors.ts', codes: withStatuses(httpErrors) },
  { source: 'libs/auth-client/src/auth-errors.ts', codes: withStatuses(authClientErrors) },
  { source: 'services/auth/src/errors.ts', codes: withStatuses(authErrors) },
  {
    source: 'libs/messaging/src/messaging-error.ts',
    codes: withoutStatuses(messagingErrorMessages),
  },
  { source: 'libs/db/src/db-error.ts', codes: withoutStatuses(dbErrorMessages) },
];

/** The page a catalogue's source names as its reference (`docs/errors.md lists them`). */
function documentingPage(catalogue: Catalogue): string {
  const named = /docs\/([\w-]+\.md)/.exec(readFileSync(join(root, catalogue.source), 'utf8'));
  return named?.[1] ?? '(the source names no page under docs/)';
}

/** Every code a page lists: table rows whose first cell is a code with one of these prefixes. */
function documentedCodes(page: string, prefixes: ReadonlySet<string>): Map<string, string> {
  const text = readFileSync(join(import.meta.dirname, page), 'utf8');
  const rows = text.matchAll(/^\| `([A-Z][A-Z0-9]*)((?:_[A-Z0-9]+)+)` \| ([^|]*)\|/gm);

  return new Map(
    [...rows]
      .filter(([, prefix]) => prefixes.has(prefix ?? ''))
      .map(([, prefix, rest, cell]) => [`${prefix}${rest}`, (cell ?? '').trim()]),
  );
}

/** Source files that declare a catalogue, so a new one cannot be left out of this test. */
function cataloguesInSources(): string[] {
  const packages = ['libs', 'services'].flatMap((area) =>
    readdirSync(join(root, area)).map((name) => `${area}/${name}/src`),
  );
  const files = packages.flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `${dir}/${file}`),
  );

  return files.filter((file) =>
    /defineErrors\(\{|ErrorMessages = \{/.test(readFileSync(join(root, file), 'utf8')),
  );
}

describe('error catalogues', () => {
  it('are all covered here', () => {
    expect(cataloguesInSources().sort()).toEqual(catalogues.map((c) => c.source).sort());
  });

  it('never share a code', () => {
    const codes = catalogues.flatMap((catalogue) => Object.keys(catalogue.codes));

    expect(codes.filter((code, index) => codes.indexOf(code) !== index)).toEqual([]);
  });

  for (const catalogue of catalogues) {
    it(`${catalogue.source}: every code is documented, with its status`, () => {
      const prefixes = new Set(Object.keys(catalogue.codes).map((code) => code.split('_')[0]));
      const documented = documentedCodes(documentingPage(catalogue), prefixes as Set<string>);

      for (const [code, status] of Object.entries(catalogue.codes)) {
        expect(documented.has(code), code).toBe(true);
        if (status !== undefined) expect(documented.get(code), code).toBe(String(status));
      }
    });
  }

  it('every documented code exists in a catalogue that names the page', () => {
    const pages = new Map<string, Catalogue[]>();
    for (const catalogue of catalogues) {
      const page = documentingPage(catalogue);
      pages.set(page, [...(pages.get(page) ?? []), catalogue]);
    }

    for (const [page, owners] of pages) {
      const known = owners.flatMap((owner) => Object.keys(owner.codes));
      const prefixes = new Set(known.map((code) => code.split('_')[0] ?? ''));

      for (const code of documentedCodes(page, prefixes).keys()) {
        expect(known, `${page} lists ${code}`).toContain(code);
      }
    }
  });
});
