import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TransportChoice } from './local-messaging.ts';

export interface StartOptions {
  /** An existing PostgreSQL to use instead of the embedded one: an admin (superuser) URL. */
  readonly databaseUrl: string | undefined;
  /**
   * With databaseUrl: also revoke PUBLIC's CONNECT and TEMPORARY on that server's postgres and
   * template1 databases. The embedded server always has them closed.
   */
  readonly closeMaintenanceDatabases: boolean;
  readonly dataDir: string;
  readonly basePort: number;
  readonly postgresPort: number;
  readonly logLevel: string;
  readonly transport: TransportChoice;
  readonly help: boolean;
}

export const usage = `Usage: pnpm start [-- options]

Runs the whole platform on this machine: PostgreSQL, one database and role set per service,
migrations, and the five services. Ctrl-C stops everything.

Options (each also read from the environment variable shown):
  --database-url URL   use this PostgreSQL instead of the embedded one; a role that may create
                       roles and databases                          FOOTFALL_DATABASE_ADMIN_URL
  --close-maintenance-databases
                       with --database-url: revoke PUBLIC's CONNECT and TEMPORARY on its
                       postgres and template1 databases (a superuser URL; changes the whole
                       server)                        FOOTFALL_CLOSE_MAINTENANCE_DATABASES=true
  --data-dir DIR       where the embedded database and generated passwords live   FOOTFALL_DATA_DIR
                       (default: .data)
  --base-port N        first service port; services use N to N+4      FOOTFALL_BASE_PORT (4100)
  --postgres-port N    embedded PostgreSQL port                   FOOTFALL_POSTGRES_PORT (54329)
  --log-level LEVEL    services' log level                          FOOTFALL_LOG_LEVEL (info)
  --transport NAME     messaging: postgres, kafka (starts a local broker) or pubsub (starts
                       the emulator)                            FOOTFALL_TRANSPORT (postgres)
  --help               show this text
`;

/** Reads the command line, falling back to FOOTFALL_* variables and then to the defaults. */
export function parseStartOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  repositoryRoot: string,
): StartOptions {
  const { values } = parseArgs({
    // pnpm 10 hands the `--` of `pnpm start -- --help` on to the script; npm and older pnpm did
    // not. Either way it only separates pnpm's options from ours.
    args: argv[0] === '--' ? argv.slice(1) : [...argv],
    options: {
      'database-url': { type: 'string' },
      'close-maintenance-databases': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'base-port': { type: 'string' },
      'postgres-port': { type: 'string' },
      'log-level': { type: 'string' },
      transport: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });

  return {
    databaseUrl: values['database-url'] ?? env.FOOTFALL_DATABASE_ADMIN_URL,
    closeMaintenanceDatabases:
      values['close-maintenance-databases'] ||
      parseFlag('FOOTFALL_CLOSE_MAINTENANCE_DATABASES', env.FOOTFALL_CLOSE_MAINTENANCE_DATABASES),
    dataDir: values['data-dir'] ?? env.FOOTFALL_DATA_DIR ?? join(repositoryRoot, '.data'),
    basePort: parsePort('--base-port', values['base-port'] ?? env.FOOTFALL_BASE_PORT, 4100),
    postgresPort: parsePort(
      '--postgres-port',
      values['postgres-port'] ?? env.FOOTFALL_POSTGRES_PORT,
      54329,
    ),
    logLevel: values['log-level'] ?? env.FOOTFALL_LOG_LEVEL ?? 'info',
    transport: parseTransport(values.transport ?? env.FOOTFALL_TRANSPORT ?? 'postgres'),
    help: values.help,
  };
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') {
    return fallback;
  }

  const port = Number(value);

  if (!Number.isInteger(port) || port < 1 || port > 65_535 - 4) {
    throw new Error(`${name} must be a port number, got ${value}`);
  }

  return port;
}

function parseFlag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') {
    return false;
  }

  if (value === 'true') {
    return true;
  }

  throw new Error(`${name} must be true or false, got ${value}`);
}

function parseTransport(value: string): TransportChoice {
  if (value === 'postgres' || value === 'kafka' || value === 'pubsub') {
    return value;
  }

  throw new Error(`--transport must be postgres, kafka or pubsub, got ${value}`);
}
