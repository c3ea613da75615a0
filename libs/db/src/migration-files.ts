import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DbError } from './db-error.ts';

/** One migration file, as read from disk. */
export interface MigrationFile {
  readonly version: number;
  /** The file name without `.sql`, e.g. `0001_baseline`; what logs and results show. */
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly checksum: string;
}

const fileNamePattern = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

/**
 * Reads every `.sql` file of a directory, ordered by version. Files of other types (a README)
 * are ignored; a `.sql` file that is not named `NNNN_name.sql` is refused
 * (DB_MIGRATION_FILENAME_INVALID), as is a version used twice (DB_MIGRATION_DUPLICATE_VERSION),
 * since either would make the order of the schema's history ambiguous.
 */
export async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const fileNames = (await readdir(directory)).filter((file) => file.endsWith('.sql'));
  const files = await Promise.all(fileNames.map((file) => readMigrationFile(directory, file)));

  files.sort((a, b) => a.version - b.version);
  assertUniqueVersions(files);

  return files;
}

async function readMigrationFile(directory: string, file: string): Promise<MigrationFile> {
  const match = fileNamePattern.exec(file);

  if (match === null) {
    throw new DbError('DB_MIGRATION_FILENAME_INVALID', { file });
  }

  const bytes = await readFile(join(directory, file));

  return {
    version: Number(match[1]),
    name: file.slice(0, -'.sql'.length),
    sql: bytes.toString('utf8'),
    checksum: createHash('sha256').update(bytes).digest('hex'),
  };
}

function assertUniqueVersions(sorted: readonly MigrationFile[]): void {
  for (const [index, file] of sorted.entries()) {
    const previous = sorted[index - 1];

    if (previous?.version === file.version) {
      const files = `${previous.name}.sql and ${file.name}.sql`;
      throw new DbError('DB_MIGRATION_DUPLICATE_VERSION', { version: file.version, files });
    }
  }
}
