import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dbErrorMessages } from '@footfall/db';
import { describe, expect, it } from 'vitest';

describe('database error codes', () => {
  it('are each documented in docs/database.md', async () => {
    const docs = await readFile(resolve(import.meta.dirname, '../../../docs/database.md'), 'utf8');
    const undocumented = Object.keys(dbErrorMessages).filter(
      (code) => !docs.includes(`\`${code}\``),
    );

    expect(undocumented).toEqual([]);
  });
});
