import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isPortInUse, type LocalPostgres, startLocalPostgres } from '@footfall/local-postgres';

export interface EmbeddedPostgresSettings {
  /** The cluster lives in `<dataDir>/postgres` and survives restarts. */
  readonly dataDir: string;
  readonly port: number;
  readonly superuserPassword: string;
  /** pnpm start's environment; the server inherits its PATH. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Starts the local install's PostgreSQL, refusing clearly when its port is already taken. */
export async function startEmbeddedPostgres(
  settings: EmbeddedPostgresSettings,
): Promise<LocalPostgres> {
  const directory = join(settings.dataDir, 'postgres');

  // A server left running by a run that was killed is stopped by startLocalPostgres itself.
  if (!existsSync(join(directory, 'postmaster.pid')) && (await isPortInUse(settings.port))) {
    throw new Error(
      `port ${settings.port} is already in use: is another \`pnpm start\` running? ` +
        'Stop it, or choose another port with FOOTFALL_POSTGRES_PORT.',
    );
  }

  return startLocalPostgres({
    directory,
    port: settings.port,
    superuserPassword: settings.superuserPassword,
    env: settings.env,
  });
}
