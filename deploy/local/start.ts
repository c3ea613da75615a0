// `pnpm start`: the whole platform on one machine. It reads its own environment because it is
// an entry point; everything it starts receives explicit configuration.
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type DemoAccount,
  describeDemoAccounts,
  ensureDemoAccounts,
} from '@footfall/auth/demo-accounts';
import { serviceClientIds } from '@footfall/contracts';
import {
  bootstrapDatabases,
  createPool,
  databaseFor,
  listRoles,
  migrationsDirectory,
  runMigrations,
  type ServiceName,
  serviceNames,
} from '@footfall/db';
import type { LocalPostgres } from '@footfall/local-postgres';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { prepareLocalMessaging } from './local-messaging.ts';
import { type LocalSecrets, loadOrCreateSecrets } from './local-secrets.ts';
import { describeServices, type LayoutSettings, ownerUrl, runtimeUrl } from './platform-layout.ts';
import { ServiceProcesses } from './service-processes.ts';
import { parseStartOptions, type StartOptions, usage } from './start-options.ts';

const repositoryRoot = join(import.meta.dirname, '../..');
const readyTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;
const prefixWidth = Math.max(...serviceNames.map((name) => name.length));

const say = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => say(`${'footfall'.padEnd(prefixWidth)} | ${line}`);

const cleanups: Array<() => Promise<void>> = [];
/** What a second Ctrl-C still does before exiting at once: nothing may be left running. */
const lastResorts: Array<() => void> = [];
let stopping = false;

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2), process.env, repositoryRoot);

  if (options.help) {
    say(usage);
    return;
  }

  installSignalHandlers();
  const startedAt = performance.now();
  const { passwords, secrets, postgres } = await preparePostgres(options);
  const postgresAddress = hostAndPort(postgres.adminUrl);
  // The embedded cluster is the platform's own; a server given by URL may be shared.
  const closeMaintenance = options.databaseUrl === undefined || options.closeMaintenanceDatabases;
  await prepareDatabases(postgres.adminUrl, postgresAddress, passwords, closeMaintenance);
  const demoAccounts = await prepareDemoAccounts(postgresAddress, passwords, secrets);

  const messaging = await prepareLocalMessaging({
    transport: options.transport,
    postgres: postgresAddress,
    passwords,
    dataDir: options.dataDir,
    note,
    env: process.env,
  });
  cleanups.push(() => messaging.stop());

  await startServices({
    basePort: options.basePort,
    postgres: postgresAddress,
    passwords,
    logLevel: options.logLevel,
    messagingEnvironment: (service) => messaging.environmentOf(service),
    clientSecrets: secrets.clientSecrets,
    authCookieKey: secrets.authCookieKey,
  });
  printDemoAccounts(demoAccounts, options);
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  note(`Footfall is ready in ${seconds} s. Dashboard: http://127.0.0.1:${options.basePort}`);
  note('each service serves /healthz, /readyz and /metrics; Ctrl-C stops everything');
}

// Local only: a platform admin and a user of the demo customer, with the kept passwords.
async function prepareDemoAccounts(
  postgres: LayoutSettings['postgres'],
  passwords: LayoutSettings['passwords'],
  secrets: LocalSecrets,
) {
  const accounts = describeDemoAccounts(secrets.demoPasswords);
  const pool = createPool({
    connectionString: runtimeUrl('auth', { postgres, passwords }),
    applicationName: 'pnpm-start',
    onIdleError: (error) => note(`demo accounts: an idle connection failed: ${error.message}`),
  });

  try {
    await ensureDemoAccounts(pool, accounts);
  } finally {
    await pool.end();
  }
  return accounts;
}

function printDemoAccounts(accounts: readonly DemoAccount[], options: StartOptions) {
  const issuer = `http://127.0.0.1:${options.basePort + 1}/oidc`;
  const kept = relative(process.cwd(), join(options.dataDir, 'secrets.json'));
  // Two short lines rather than one long one: terminals and the README are 100 columns wide.
  note(`demo logins, for sign-in at ${issuer}:`);
  for (const account of accounts) {
    note(`  ${account.role.padEnd(15)} ${account.email.padEnd(28)} ${account.password}`);
  }
  note(`  (their passwords are kept in ${kept})`);
}

async function preparePostgres(options: StartOptions) {
  await mkdir(options.dataDir, { recursive: true });
  const secrets = await loadOrCreateSecrets(options.dataDir, listRoles(), serviceClientIds);
  const where = relative(process.cwd(), secrets.path) || secrets.path;
  note(
    `${secrets.created ? 'generated' : 'reusing'} role passwords and OAuth client secrets in ` +
      `${where} (mode 0600)`,
  );

  const postgres = await connectPostgres(options, secrets.secrets.superuserPassword);
  return { passwords: secrets.secrets.rolePasswords, secrets: secrets.secrets, postgres };
}

async function connectPostgres(options: StartOptions, superuserPassword: string) {
  if (options.databaseUrl !== undefined) {
    note(`using the PostgreSQL at ${redactCredentials(options.databaseUrl)}`);
    return { adminUrl: options.databaseUrl, stop: async () => {} } satisfies Pick<
      LocalPostgres,
      'adminUrl' | 'stop'
    >;
  }

  note(`starting embedded PostgreSQL on 127.0.0.1:${options.postgresPort}`);
  const postgres = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    port: options.postgresPort,
    superuserPassword,
    env: process.env,
  });

  cleanups.push(() => postgres.stop());
  lastResorts.push(() => postgres.abandon());
  return postgres;
}

async function prepareDatabases(
  adminUrl: string,
  postgres: LayoutSettings['postgres'],
  passwords: LayoutSettings['passwords'],
  closeMaintenanceDatabases: boolean,
) {
  const result = await bootstrapDatabases({ adminUrl, passwords, closeMaintenanceDatabases });
  note(
    `databases and roles in place (created ${result.createdDatabases.length} databases, ` +
      `${result.createdRoles.length} roles)`,
  );
  warnOfOpenDatabases(result.openMaintenanceDatabases);

  for (const service of serviceNames) {
    await migrate(service, { postgres, passwords });
  }
}

// Left as they were on a server given by URL: say so rather than change them unasked.
function warnOfOpenDatabases(databases: readonly string[]) {
  if (databases.length === 0) return;

  note(
    `warning: every role on this server, the platform's included, may connect to and create ` +
      `temporary tables in ${databases.join(' and ')}; --close-maintenance-databases revokes that`,
  );
}

async function migrate(
  service: ServiceName,
  settings: Pick<LayoutSettings, 'postgres' | 'passwords'>,
) {
  const { schema } = databaseFor(service);
  const result = await runMigrations({
    connectionString: ownerUrl(service, settings),
    schema,
    directory: migrationsDirectory(service),
  });

  note(
    `${service}: migrations current at ${result.current || '(none)'}, applied ${result.applied.length}`,
  );
}

async function startServices(settings: LayoutSettings) {
  const specs = describeServices(settings);
  const processes = new ServiceProcesses({
    print: say,
    color: process.stdout.isTTY === true,
    path: process.env.PATH ?? '',
    onUnexpectedExit: (name, code) => {
      note(`${name} exited unexpectedly (code ${code}); stopping the platform`);
      void shutDown(1);
    },
  });

  cleanups.unshift(() => processes.stop(stopTimeoutMs));
  lastResorts.unshift(() => processes.signalAll('SIGKILL'));
  processes.start(specs);
  await processes.waitUntilReady(specs, readyTimeoutMs);

  const width = Math.max(...specs.map((spec) => spec.name.length));
  for (const spec of specs) {
    note(`${spec.name.padEnd(width)}  ${spec.url}  (ready)`);
  }
}

function installSignalHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        note('second signal: exiting now');
        for (const lastResort of lastResorts) lastResort();
        process.exit(1);
      }

      note(`${signal}: stopping`);
      void shutDown(0);
    });
  }
}

/** Stops services first (they may still be finishing requests), then PostgreSQL. */
async function shutDown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;

  for (const cleanup of cleanups) {
    await cleanup().catch((error: unknown) => note(`while stopping: ${String(error)}`));
  }

  note('stopped');
  process.exit(code);
}

function hostAndPort(url: string) {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 5432) };
}

function redactCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.password = parsed.password === '' ? '' : '***';
  return parsed.toString();
}

main().catch(async (error: unknown) => {
  note(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutDown(1);
});
