import { resolve } from 'node:path';
import {
  type DbLogger,
  type MigrationResult,
  messagingDatabase,
  runMigrations,
} from '@footfall/db';
import pg from 'pg';

/** One topic, who may publish to it, and its subscriptions with who may consume each. */
export interface PostgresTopicTopology {
  readonly topic: string;
  /** Runtime roles allowed to publish, e.g. `footfall_ingestion_app`. */
  readonly publishers: readonly string[];
  readonly subscriptions: readonly {
    readonly name: string;
    readonly consumers: readonly string[];
    /**
     * Deliveries after which the broker itself dead-letters a message whose consumer keeps
     * dying before it settles it (reason `lease-expired`); keep it equal to the consumers'
     * retry.maxAttempts. @default 5
     */
    readonly maxAttempts?: number;
  }[];
}

/** Where the messaging database's migrations live. */
export const messagingMigrationsDirectory = resolve(import.meta.dirname, '../../migrations');

/**
 * Applies the broker's migrations to the messaging database; `ownerUrl` connects as
 * `footfall_messaging_owner`. Run after bootstrap, before provisioning.
 */
export function migrateMessagingDatabase(
  ownerUrl: string,
  logger?: DbLogger,
): Promise<MigrationResult> {
  return runMigrations({
    connectionString: ownerUrl,
    schema: messagingDatabase.schema,
    directory: messagingMigrationsDirectory,
    ...(logger === undefined ? {} : { logger }),
  });
}

/**
 * Makes the topics and subscriptions exist, as the messaging owner, in one transaction. For the
 * topics listed, the ACL becomes exactly what is listed: a role left out loses its right.
 * Topics and subscriptions not listed are left alone (deleting them would delete messages).
 * A role that does not exist fails the whole call (SQLSTATE 42704), as does a subscription
 * name already used on another topic (42710).
 */
export async function provisionPostgresTopology(
  ownerUrl: string,
  topology: readonly PostgresTopicTopology[],
): Promise<void> {
  const client = new pg.Client({
    connectionString: ownerUrl,
    application_name: 'footfall-messaging-provision',
  });
  await client.connect();

  try {
    await client.query('BEGIN');
    for (const topic of topology) await provisionTopic(client, topic);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

async function provisionTopic(client: pg.Client, topology: PostgresTopicTopology) {
  const { topic } = topology;
  await client.query('SELECT messaging.set_publishers($1, $2)', [topic, topology.publishers]);

  for (const subscription of topology.subscriptions) {
    const { name, consumers, maxAttempts = 5 } = subscription;
    await client.query('SELECT messaging.ensure_subscription($1, $2, $3)', [
      topic,
      name,
      maxAttempts,
    ]);
    await client.query('SELECT messaging.set_consumers($1, $2)', [name, consumers]);
  }
}
