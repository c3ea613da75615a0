import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessagingError, messagingErrorMessages } from '../src/index.ts';

const page = readFileSync(join(import.meta.dirname, '../../../docs/messaging.md'), 'utf8');

describe('messaging error codes', () => {
  it('are each listed in docs/messaging.md', () => {
    for (const code of Object.keys(messagingErrorMessages)) {
      expect(page, code).toMatch(new RegExp(`\\| \`${code}\` \\|`));
    }
  });

  it('fill their message template and keep the cause', () => {
    const cause = new Error('refused');
    const error = new MessagingError('MESSAGING_CLOSED', { transport: 'kafka' }, { cause });

    expect(error).toMatchObject({ code: 'MESSAGING_CLOSED', cause });
    expect(error.message).toBe('The kafka transport is closed.');
  });
});
