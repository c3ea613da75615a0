import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

// What a package's scripts run (`node src/main.ts`, `node src/migrate.ts`, ...): its entry points.
function scriptEntryPoints(directory: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, directory, 'package.json'), 'utf8'));
  const scripts: string[] = Object.values(manifest.scripts ?? {});

  return scripts.flatMap((script) =>
    [...script.matchAll(/\bnode (?:--\S+ )*(\S+\.ts)\b/g)].map((match) =>
      join(directory, match[1] ?? '').replace(/^\.\//, ''),
    ),
  );
}

// The entry points architecture.md names: the only code that may read process.env.
const entryPoints = [
  ...['.', ...readdirSync(join(root, 'services')).map((name) => `services/${name}`)].flatMap(
    scriptEntryPoints,
  ),
  'libs/db/src/bootstrap-cli.ts',
];

// Test helpers sit right under their entry point, the test file; their parameters default to the
// test process's environment.
const testHelpers = /^libs\/testing\/src\//;

function sourceFiles(directory: string): string[] {
  return readdirSync(join(root, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .filter((file) => !file.split('/').includes('node_modules'))
    .map((file) => `${directory}/${file}`);
}

function productionSources(): string[] {
  const packages = (parent: string) =>
    readdirSync(join(root, parent)).map((name) => `${parent}/${name}/src`);

  return [...packages('libs'), ...packages('services'), 'deploy/local'].flatMap(sourceFiles);
}

// Comments may mention process.env; only code counts.
function readsEnvironment(file: string): boolean {
  const code = readFileSync(join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');

  return code.includes('process.env');
}

// The table's rows: the lines after its header, up to the first that is not a row (a blank line
// there would end the table and leave the rows after it as plain text).
function libraryTable(): string[] {
  const lines = readFileSync(join(root, 'docs/architecture.md'), 'utf8').split('\n');
  const header = lines.indexOf('| library | what it gives a service |');
  const end = lines.findIndex((line, index) => index > header && !line.startsWith('|'));

  return lines.slice(header + 2, end);
}

describe('docs/architecture.md', () => {
  it('has every library in one libraries table', () => {
    const names = readdirSync(join(root, 'libs')).map(
      (name) => JSON.parse(readFileSync(join(root, 'libs', name, 'package.json'), 'utf8')).name,
    );
    const listed = libraryTable().map((row) => /^\| `([^`]+)`/.exec(row)?.[1]);

    expect([...listed].sort()).toEqual([...names].sort());
  });

  it('holds: nothing below an entry point reads process.env', () => {
    const readers = productionSources().filter(readsEnvironment);

    const belowEntryPoints = readers.filter(
      (file) => !entryPoints.includes(file) && !testHelpers.test(file),
    );
    expect(belowEntryPoints).toEqual([]);
    expect(entryPoints).toContain('deploy/local/start.ts');
    expect(readers.length).toBeGreaterThan(0);
  });
});
