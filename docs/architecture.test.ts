import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

// The entry points architecture.md names: the only code that may read process.env.
const entryPoints = [
  /^services\/[^/]+\/src\/(main|migrate)\.ts$/,
  /^services\/auth\/src\/rotate-keys\.ts$/,
  /^libs\/db\/src\/bootstrap-cli\.ts$/,
  /^deploy\/local\/start\.ts$/,
  // Test helpers sit right under their entry point, the test file; their parameters default to
  // the test process's environment.
  /^libs\/testing\/src\//,
];

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

    expect(readers.filter((file) => !entryPoints.some((entry) => entry.test(file)))).toEqual([]);
    expect(readers.length).toBeGreaterThan(0);
  });
});
