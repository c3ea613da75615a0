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

describe('docs/architecture.md', () => {
  it('holds: nothing below an entry point reads process.env', () => {
    const readers = productionSources().filter(readsEnvironment);

    expect(readers.filter((file) => !entryPoints.some((entry) => entry.test(file)))).toEqual([]);
    expect(readers.length).toBeGreaterThan(0);
  });
});
