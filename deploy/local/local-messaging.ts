import { join } from 'node:path';
import { platformTopology } from '@footfall/contracts';
import { buildConnectionUrl, databaseFor, messagingDatabase, type ServiceName } from '@footfall/db';
import {
  defaultKafkaBrokers,
  defaultPubSubEmulatorHost,
  type StartedBroker,
  startKafkaBroker,
  startPubSubEmulator,
} from '@footfall/local-processes';
import { migrateMessagingDatabase, provisionPostgresTopology } from '@footfall/messaging';

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
      return prepareBroker(settings, startKafkaBroker(brokerOptions(settings, 'kafka')), {
        KAFKA_BROKERS: defaultKafkaBrokers,
      });
    case 'pubsub':
      return prepareBroker(settings, startPubSubEmulator(brokerOptions(settings, 'emulators')), {
        PUBSUB_EMULATOR_HOST: defaultPubSubEmulatorHost,
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

// The broker keeps its state in the install's data directory, as PostgreSQL does.
function brokerOptions(settings: LocalMessagingSettings, directory: string) {
  return { env: settings.env, directory: join(settings.dataDir, directory), note: settings.note };
}

/**
 * Kafka or the Pub/Sub emulator: one already answering at its address is used and left running,
 * otherwise its deploy script starts one, stopped again with the platform. The services create
 * their topics.
 */
async function prepareBroker(
  settings: LocalMessagingSettings,
  starting: Promise<StartedBroker>,
  variables: Readonly<Record<string, string>>,
): Promise<LocalMessaging> {
  const broker = await starting;
  const how = broker.startedHere ? 'started' : 'already running';
  settings.note(`messaging: ${settings.transport} at ${broker.address} (${how})`);

  return {
    environmentOf: (service) => ({
      MESSAGING_TRANSPORT: settings.transport,
      MESSAGING_CREATE_TOPOLOGY: 'true',
      KAFKA_CLIENT_ID: service,
      ...variables,
    }),
    stop: () => broker.stop(),
  };
}
