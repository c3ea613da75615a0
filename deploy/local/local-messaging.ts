import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { platformTopology } from '@footfall/contracts';
import { buildConnectionUrl, databaseFor, messagingDatabase, type ServiceName } from '@footfall/db';
import { migrateMessagingDatabase, provisionPostgresTopology } from '@footfall/messaging';

const run = promisify(execFile);
const repositoryRoot = join(import.meta.dirname, '../..');

export type TransportChoice = 'postgres' | 'pubsub' | 'kafka';

export interface LocalMessaging {
  /** The messaging variables of one service. */
  environmentOf(service: ServiceName): Record<string, string>;
  /** Stops the broker this run started, if any. */
  stop(): Promise<void>;
}

export interface LocalMessagingSettings {
  readonly transport: TransportChoice;
  readonly postgres: { readonly host: string; readonly port: number };
  readonly passwords: Readonly<Record<string, string>>;
  readonly dataDir: string;
  readonly note: (line: string) => void;
  /** pnpm start's environment; the broker scripts run with it (they look for Java or gcloud). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Gets the chosen transport ready for the services: its database, broker or emulator. */
export async function prepareLocalMessaging(
  settings: LocalMessagingSettings,
): Promise<LocalMessaging> {
  switch (settings.transport) {
    case 'postgres':
      return preparePostgres(settings);
    case 'kafka':
      return prepareBroker(settings, 'deploy/kafka/kafka-broker.sh', [], {
        KAFKA_BROKERS: '127.0.0.1:19092',
      });
    case 'pubsub':
      return prepareBroker(settings, 'deploy/pubsub/pubsub-emulator.sh', ['pubsub'], {
        PUBSUB_EMULATOR_HOST: '127.0.0.1:18085',
        PUBSUB_PROJECT_ID: 'footfall-local',
      });
  }
}

/** The postgres transport: the broker database's tables, then the platform's topics and ACL. */
async function preparePostgres(settings: LocalMessagingSettings): Promise<LocalMessaging> {
  const urlOf = (role: string) =>
    buildConnectionUrl({
      ...settings.postgres,
      database: messagingDatabase.database,
      user: role,
      password: settings.passwords[role] ?? '',
    });

  await migrateMessagingDatabase(urlOf(messagingDatabase.ownerRole));
  await provisionPostgresTopology(urlOf(messagingDatabase.ownerRole), topologyByRole());
  settings.note(`messaging: postgres transport, ${platformTopology.length} topics provisioned`);

  return {
    environmentOf: (service) => ({
      MESSAGING_TRANSPORT: 'postgres',
      MESSAGING_DATABASE_URL: urlOf(databaseFor(service).runtimeRole),
    }),
    stop: async () => {},
  };
}

function topologyByRole() {
  const roleOf = (service: string) => databaseFor(service as ServiceName).runtimeRole;

  return platformTopology.map((topic) => ({
    topic: topic.topic,
    publishers: topic.publishers.map(roleOf),
    subscriptions: topic.subscriptions.map((s) => ({
      name: s.name,
      consumers: [roleOf(s.consumer)],
    })),
  }));
}

/** Kafka or the Pub/Sub emulator: started by their scripts, topics created by the services. */
async function prepareBroker(
  settings: LocalMessagingSettings,
  script: string,
  args: readonly string[],
  variables: Readonly<Record<string, string>>,
): Promise<LocalMessaging> {
  const environment = {
    ...settings.env,
    FOOTFALL_EMULATOR_DIR: join(settings.dataDir, 'emulators'),
  };
  const control = (action: string) =>
    run('bash', [join(repositoryRoot, script), action, ...args], { env: environment });

  const wasRunning = await control('status').then(
    () => true,
    () => false,
  );
  if (!wasRunning) await control('start');
  settings.note(`messaging: ${settings.transport} at ${Object.values(variables)[0]}`);

  return {
    environmentOf: (service) => ({
      MESSAGING_TRANSPORT: settings.transport,
      MESSAGING_CREATE_TOPOLOGY: 'true',
      KAFKA_CLIENT_ID: service,
      ...variables,
    }),
    stop: async () => {
      if (!wasRunning) await control('stop');
    },
  };
}
