/**
 * Applies a service's plain SQL migrations, in version order, each in its own transaction.
 *
 * A small runner rather than node-pg-migrate or similar, because what this platform needs is
 * narrow and strict: plain `.sql` files a reviewer reads as-is (GRANTs included), a checksum per
 * applied file so an edited migration is refused instead of silently diverging between
 * environments, one history table inside each service's own schema, run as that database's owner
 * role (never the admin, never the runtime role), and no extra dependency to keep current.
 */
import pg, { escapeIdentifier as id } from 'pg';
import { withAdvisoryLock } from './advisory-lock.ts';
import { DbError } from './db-error.ts';
import { type DbLogger, silentLogger } from './db-logger.ts';
import { type MigrationFile, readMigrationFiles } from './migration-files.ts';

export interface MigrationOptions {
  /** Connects as the database's owner role. */
  readonly connectionString: string;
  /** The service schema; the history table `<schema>.schema_migrations` lives there. */
  readonly schema: string;
  /** The directory holding `NNNN_name.sql` files. */
  readonly directory: string;
  readonly logger?: DbLogger;
}

export interface MigrationResult {
  /** Names (`0002_add_visits`) applied by this run, in order; empty when already current. */
  readonly applied: readonly string[];
  /** Name of the newest migration now applied; empty when the directory has none. */
  readonly current: string;
}

interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

/**
 * Applies every pending migration and returns what it did. Concurrent runs take turns on an
 * advisory lock, so each file is applied once. Refuses to apply anything when the history and
 * the files disagree: DB_MIGRATION_CHECKSUM_MISMATCH, DB_MIGRATION_FILE_MISSING,
 * DB_MIGRATION_OUT_OF_ORDER, or a bad directory (DB_MIGRATION_FILENAME_INVALID,
 * DB_MIGRATION_DUPLICATE_VERSION). A failing file is rolled back: DB_MIGRATION_FAILED, with
 * the server's error as `cause`.
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationResult> {
  if (options.schema === '') {
    throw new TypeError('schema must name the service schema');
  }

  const files = await readMigrationFiles(options.directory);
  const client = new pg.Client({
    connectionString: options.connectionString,
    application_name: 'footfall-migrate',
  });
  await client.connect();

  try {
    const lock = `footfall:migrate:${options.schema}`;
    return await withAdvisoryLock(client, lock, () => migrateWithLock(client, files, options));
  } finally {
    await client.end();
  }
}

async function migrateWithLock(
  client: pg.ClientBase,
  files: readonly MigrationFile[],
  options: MigrationOptions,
): Promise<MigrationResult> {
  const logger = options.logger ?? silentLogger;
  const table = `${id(options.schema)}.schema_migrations`;

  // Unqualified names in a migration mean the service schema, whatever the role's settings.
  await client.query(`SET search_path TO ${id(options.schema)}`);
  await ensureHistoryTable(client, table);

  const history = await readHistory(client, table);
  const pending = selectPending(files, history, options.directory);

  for (const file of pending) {
    await applyMigration(client, table, file);
    logger.info({ migration: file.name, schema: options.schema }, 'migration applied');
  }

  return { applied: pending.map((file) => file.name), current: files.at(-1)?.name ?? '' };
}

async function ensureHistoryTable(client: pg.ClientBase, table: string): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${table} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
}

async function readHistory(client: pg.ClientBase, table: string): Promise<AppliedMigration[]> {
  const result = await client.query<AppliedMigration>(
    `SELECT version, name, checksum FROM ${table} ORDER BY version`,
  );

  return result.rows;
}

// The history must be a prefix of the files, unchanged: anything else means environments have
// diverged, and applying more would only bury that.
function selectPending(
  files: readonly MigrationFile[],
  history: readonly AppliedMigration[],
  directory: string,
): MigrationFile[] {
  for (const applied of history) {
    const file = files.find((candidate) => candidate.version === applied.version);

    if (file === undefined) {
      throw new DbError('DB_MIGRATION_FILE_MISSING', { migration: applied.name, directory });
    }

    if (file.checksum !== applied.checksum) {
      throw new DbError('DB_MIGRATION_CHECKSUM_MISMATCH', { migration: applied.name });
    }
  }

  const pending = files.filter((file) => !history.some((row) => row.version === file.version));
  const newest = history.at(-1);
  const late = newest && pending.find((file) => file.version < newest.version);

  if (newest !== undefined && late !== undefined) {
    throw new DbError('DB_MIGRATION_OUT_OF_ORDER', { migration: late.name, current: newest.name });
  }

  return pending;
}

async function applyMigration(
  client: pg.ClientBase,
  table: string,
  file: MigrationFile,
): Promise<void> {
  await client.query('BEGIN');

  try {
    await client.query(file.sql);
    await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
      file.version,
      file.name,
      file.checksum,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw new DbError('DB_MIGRATION_FAILED', { migration: file.name }, { cause: error });
  }
}
