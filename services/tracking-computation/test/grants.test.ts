import { databaseFor, findPrivilegeViolations } from '@footfall/db';
import {
  createTestDatabases,
  describeServiceGrants,
  queryAs,
  type TestDatabases,
  type TestServiceDatabase,
  withClient,
} from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedPrivileges } from '../src/privileges.ts';

describeServiceGrants('tracking-computation', expectedPrivileges);

// The one cross-service grant of the platform: the dashboard's reader on the serving database.
// A probe table created by the owner, with no GRANT at all, shows what default privileges give.
describe('serving database, as seen by the dashboard reader', () => {
  let databases: TestDatabases | undefined;
  let serving: TestServiceDatabase;
  let readerUrl: string;

  beforeAll(async () => {
    databases = await createTestDatabases();
    serving = databases.services['tracking-computation'];
    readerUrl = serving.readerUrls.footfall_dashboard_reader ?? '';

    await queryAs(
      serving.ownerUrl,
      'CREATE TABLE serving.grant_probe (id int); INSERT INTO serving.grant_probe VALUES (1)',
    );
  });

  afterAll(async () => {
    await databases?.drop();
  });

  it('can read a table the owner created later, with no GRANT of its own', async () => {
    const result = await queryAs(readerUrl, 'SELECT id FROM serving.grant_probe');

    expect(result.rows).toEqual([{ id: 1 }]);
  });

  it.each([
    'INSERT INTO serving.grant_probe VALUES (2)',
    'UPDATE serving.grant_probe SET id = 3',
    'DELETE FROM serving.grant_probe',
    'TRUNCATE serving.grant_probe',
  ])('cannot change it: %s', async (statement) => {
    await expect(queryAs(readerUrl, statement)).rejects.toMatchObject({ code: '42501' });
  });

  it('gives the computation runtime role nothing on it without an explicit GRANT', async () => {
    const read = queryAs(serving.runtimeUrl, 'SELECT id FROM serving.grant_probe');

    await expect(read).rejects.toMatchObject({ code: '42501' });
  });

  it('still matches the declared privileges with the probe table in place', async () => {
    const violations = await withClient(serving.adminUrl, (client) =>
      findPrivilegeViolations(client, databaseFor('tracking-computation'), expectedPrivileges),
    );

    expect(violations).toEqual([]);
  });
});
