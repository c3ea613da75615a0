import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@footfall/db';
import { createTestDatabases, queryAs, type TestDatabases } from '@footfall/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// Every test gets a fresh schema in this suite's ingestion database, created by its owner (the
// role migrations run as), and a fresh directory of migration files.
describe('runMigrations', () => {
  let databases: TestDatabases | undefined;
  let directory: string;
  let schema: string;
  const ownerUrl = () => databases?.services['tracking-ingestion'].ownerUrl ?? '';
  const migrate = () => runMigrations({ connectionString: ownerUrl(), schema, directory });
  const write = (file: string, sql: string) => writeFile(join(directory, file), sql);
  const history = async () =>
    (
      await queryAs(
        ownerUrl(),
        `SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`,
      )
    ).rows;

  beforeAll(async () => {
    databases = await createTestDatabases();
  });

  afterAll(async () => {
    await databases?.drop();
  });

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'footfall-migrations-'));
    schema = `m_${randomBytes(4).toString('hex')}`;
    await queryAs(ownerUrl(), `CREATE SCHEMA ${schema}`);
    await write('0001_create_things.sql', 'CREATE TABLE things (id int PRIMARY KEY);');
    await write('0002_add_name.sql', 'ALTER TABLE things ADD COLUMN name text;');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('applies pending files in version order, in the service schema', async () => {
    const result = await migrate();

    expect(result).toEqual({
      applied: ['0001_create_things', '0002_add_name'],
      current: '0002_add_name',
    });
    expect(await history()).toEqual([
      { version: 1, name: '0001_create_things' },
      { version: 2, name: '0002_add_name' },
    ]);
    await queryAs(ownerUrl(), `INSERT INTO ${schema}.things (id, name) VALUES (1, 'a')`);
  });

  it('applies nothing when run again, and only the new file after one is added', async () => {
    await migrate();

    expect(await migrate()).toEqual({ applied: [], current: '0002_add_name' });

    await write('0003_add_index.sql', 'CREATE INDEX things_name ON things (name);');
    expect(await migrate()).toEqual({ applied: ['0003_add_index'], current: '0003_add_index' });
  });

  it('applies each file once when two runs race', async () => {
    const runs = await Promise.all([migrate(), migrate()]);

    expect(runs.flatMap((run) => run.applied).sort()).toEqual([
      '0001_create_things',
      '0002_add_name',
    ]);
    expect(await history()).toHaveLength(2);
  });

  it('refuses to run when an applied file was edited', async () => {
    await migrate();
    await write('0001_create_things.sql', 'CREATE TABLE things (id bigint PRIMARY KEY);');

    await expect(migrate()).rejects.toMatchObject({ code: 'DB_MIGRATION_CHECKSUM_MISMATCH' });
  });

  it('refuses to run when an applied file is gone', async () => {
    await migrate();
    await unlink(join(directory, '0002_add_name.sql'));

    await expect(migrate()).rejects.toMatchObject({ code: 'DB_MIGRATION_FILE_MISSING' });
  });

  it('refuses a file older than the newest applied one', async () => {
    await unlink(join(directory, '0001_create_things.sql'));
    await write('0002_add_name.sql', 'CREATE TABLE things (id int PRIMARY KEY, name text);');
    await migrate();
    await write('0001_create_things.sql', 'CREATE TABLE late (id int);');

    await expect(migrate()).rejects.toMatchObject({ code: 'DB_MIGRATION_OUT_OF_ORDER' });
  });

  it.each([
    ['a malformed name', '3_no_padding.sql', 'DB_MIGRATION_FILENAME_INVALID'],
    ['upper case', '0003_Shouting.sql', 'DB_MIGRATION_FILENAME_INVALID'],
    ['a version used twice', '0002_again.sql', 'DB_MIGRATION_DUPLICATE_VERSION'],
  ])('refuses a directory with %s, before applying anything', async (_case, file, code) => {
    await write(file, 'SELECT 1;');

    await expect(migrate()).rejects.toMatchObject({ code });
    const tables = await queryAs(ownerUrl(), 'SELECT 1 FROM pg_tables WHERE schemaname = $1', [
      schema,
    ]);
    expect(tables.rowCount).toBe(0);
  });

  it('ignores files that are not SQL', async () => {
    await write('README.md', 'notes');

    expect((await migrate()).applied).toHaveLength(2);
  });

  it('rolls back a failing file, keeps earlier ones and reports the server error', async () => {
    await write('0003_broken.sql', 'CREATE TABLE half (id int); SELECT * FROM no_such_table;');

    const error = await migrate().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'DB_MIGRATION_FAILED', cause: { code: '42P01' } });
    expect(await history()).toHaveLength(2);
    const half = await queryAs(ownerUrl(), 'SELECT to_regclass($1) AS half', [`${schema}.half`]);
    expect(half.rows).toEqual([{ half: null }]);
  });

  it('reports an empty current version for an empty directory', async () => {
    await unlink(join(directory, '0001_create_things.sql'));
    await unlink(join(directory, '0002_add_name.sql'));

    expect(await migrate()).toEqual({ applied: [], current: '' });
  });
});
