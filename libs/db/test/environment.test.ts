import { DbError, parseEnvironment, postgresUrlSchema } from '@footfall/db';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('parseEnvironment', () => {
  it('treats an empty variable as unset, so its default applies', () => {
    const shape = { LOG_LEVEL: z.string().default('info') };

    expect(parseEnvironment(shape, { LOG_LEVEL: '' })).toEqual({ LOG_LEVEL: 'info' });
  });

  it('reports an empty required variable as not set, not as a malformed value', () => {
    const shape = { DATABASE_OWNER_URL: postgresUrlSchema };
    const parse = () => parseEnvironment(shape, { DATABASE_OWNER_URL: '' });

    expect(parse).toThrow(DbError);
    expect(parse).toThrow('DATABASE_OWNER_URL is not set');
  });
});
