import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authErrors } from '../src/index.ts';

describe('the auth client error catalogue', () => {
  it('documents every code in docs/errors.md with its status', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../../docs/errors.md'), 'utf8');

    for (const [code, definition] of Object.entries(authErrors.catalogue)) {
      expect(docs, code).toMatch(
        new RegExp(`\\| \`${code}\`\\s*\\| ${definition.statusCode}\\s*\\|`),
      );
    }
  });
});
