import { randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropSuffixedDatabases, setUpTestDatabases } from '../src/service-databases.ts';
import { queryAs } from '../src/with-client.ts';

const server = inject('footfallPostgres');
const suffix = `_l${randomBytes(4).toString('hex')}`;

afterAll(() => dropSuffixedDatabases(server.adminUrl, suffix));

describe('setUpTestDatabases', () => {
  it('drops the databases it made when bootstrap fails halfway', async () => {
    // Bootstrap creates the first four databases, then cannot get into this one.
    const blocker = escapeIdentifier(`footfall_dashboard${suffix}`);
    await queryAs(server.adminUrl, `CREATE DATABASE ${blocker} ALLOW_CONNECTIONS false`);

    const setUp = setUpTestDatabases(server, suffix);

    await expect(setUp).rejects.toMatchObject({ code: '55000' });
    const left = await queryAs(
      server.adminUrl,
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`%${suffix}`],
    );
    expect(left.rows).toEqual([]);
  });
});
