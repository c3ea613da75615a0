import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { migrateEnvironmentShape } from '@footfall/db';
import { defaultKafkaBrokers, defaultPubSubEmulatorHost } from '@footfall/local-processes';
import { describe, expect, it } from 'vitest';
import { parseStartOptions } from '../deploy/local/start-options.ts';
import { configSchema as auth } from '../services/auth/src/config.ts';
import { configSchema as customer } from '../services/customer/src/config.ts';
import { configSchema as dashboard } from '../services/dashboard/src/config.ts';
import { configSchema as computation } from '../services/tracking-computation/src/config.ts';
import { configSchema as ingestion } from '../services/tracking-ingestion/src/config.ts';

const root = join(import.meta.dirname, '..');
const page = readFileSync(join(import.meta.dirname, 'configuration.md'), 'utf8');

/** The body of one `## heading` section of the page. */
function section(heading: string): string {
  const start = page.indexOf(`\n## ${heading}\n`);
  const end = page.indexOf('\n## ', start + 1);
  return start === -1 ? '' : page.slice(start, end === -1 ? undefined : end);
}

/** Each table row of a text, by the variables its first cell names (a cell may name several). */
function rowsByVariable(text: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();

  for (const line of text.split('\n').filter((row) => row.startsWith('| `'))) {
    const cells = line.split('|').map((cell) => cell.trim());
    for (const [, variable] of (cells[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)) {
      rows.set(variable ?? '', cells.slice(1, -1));
    }
  }

  return rows;
}

// Handed on to child processes as they are, not settings of the platform.
const inherited = ['PATH', 'HOME'];

/** Every `X` in `env.X` (or `process.env.X`) of the given files: what they read. */
function variablesRead(files: readonly string[], pattern = /\benv\.([A-Z][A-Z0-9_]+)/g) {
  return files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(pattern)]
      .map((match) => match[1] ?? '')
      .filter((variable) => !inherited.includes(variable)),
  );
}

type ZodField = { def: { type: string; defaultValue?: unknown } };

const schemas: Record<string, { shape: Record<string, ZodField> }> = {
  'tracking-ingestion': ingestion,
  'tracking-computation': computation,
  customer,
  auth,
  dashboard,
};

const testHelpers = readdirSync(join(root, 'libs/testing/src')).map((f) => `libs/testing/src/${f}`);
// Inputs of the CI script are the variables it reads with a fallback: ${NAME:-…}.
const ciVariables = variablesRead(['.ci/run'], /\$\{([A-Z][A-Z0-9_]+):-/g);
const testVariables = [...new Set([...variablesRead(testHelpers), ...ciVariables])];
const startVariables = variablesRead(['deploy/local/start-options.ts']);

// A zod default as the page writes it: `4100`, `info`, a list as its comma-separated text.
function describeDefault(field: ZodField): string | undefined {
  const { type, defaultValue } = field.def;

  return type === 'default' ? String(defaultValue) : undefined;
}

describe('docs/configuration.md', () => {
  for (const [service, schema] of Object.entries(schemas)) {
    it(`lists every variable ${service} reads, with its default`, () => {
      const rows = new Map([
        ...rowsByVariable(section('Every service')),
        ...rowsByVariable(section(service)),
      ]);

      for (const [variable, field] of Object.entries(schema.shape)) {
        const defaultCell = rows.get(variable)?.[1];
        expect(defaultCell, `${variable} is not listed`).toBeDefined();

        const documented = describeDefault(field);
        if (documented !== undefined) expect(defaultCell, variable).toContain(`\`${documented}\``);
        if (!['default', 'optional'].includes(field.def.type)) {
          expect(defaultCell, variable).toMatch(/^required/);
        }
      }
    });
  }

  it('lists the variable of the migrate command', () => {
    const rows = rowsByVariable(section("Migrations (`pnpm migrate` in a service's folder)"));

    expect([...rows.keys()]).toEqual(Object.keys(migrateEnvironmentShape));
  });

  it('lists every variable of pnpm start, with the default of its option', () => {
    const rows = rowsByVariable(section('`pnpm start`'));
    const defaults: Record<string, unknown> = { ...parseStartOptions([], {}, root) };

    expect([...rows.keys()].sort()).toEqual([...startVariables].sort());
    for (const [variable, [, option = '', defaultCell = '']] of rows) {
      const key = option
        .replace(/`--(.+)`/, '$1')
        .replace(/-(.)/g, (_, c: string) => c.toUpperCase());
      const value = defaults[key];
      const shown = key === 'dataDir' ? relative(root, String(value)) : String(value);

      expect(defaultCell, variable).toMatch(value === undefined ? /^unset/ : `\`${shown}\``);
    }
  });

  it('lists every variable the tests and .ci/run read, with its default', () => {
    const rows = rowsByVariable(section('Tests'));

    expect([...rows.keys()].sort()).toEqual([...testVariables].sort());
    expect(rows.get('KAFKA_BROKERS')?.[1]).toBe(`\`${defaultKafkaBrokers}\``);
    expect(rows.get('PUBSUB_EMULATOR_HOST')?.[1]).toBe(`\`${defaultPubSubEmulatorHost}\``);
  });

  it('names no variable that nothing reads', () => {
    const read = new Set([
      ...Object.values(schemas).flatMap((schema) => Object.keys(schema.shape)),
      ...Object.keys(migrateEnvironmentShape),
      ...startVariables,
      ...testVariables,
    ]);

    expect([...rowsByVariable(page).keys()].filter((variable) => !read.has(variable))).toEqual([]);
  });
});
