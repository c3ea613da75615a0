import { randomUUID } from 'node:crypto';
import {
  findPrivilegeViolations,
  messagingDatabase,
  replaceUrlCredentials,
  type ServiceDatabase,
  serviceDatabases,
} from '@footfall/db';
import { queryAs, withClient } from '@footfall/testing';
import { describe, expect, inject, it } from 'vitest';
import { messagingPrivileges } from '../../src/postgres/index.ts';
import { orderMessage } from '../contract/test-messages.ts';
import { consumerRole, producerRole, usePostgresBroker } from './postgres-broker.ts';

const broker = usePostgresBroker();
const insufficientPrivilege = { code: '42501' };
const notPermitted = { code: 'MESSAGING_NOT_PERMITTED' };
const brokerTables = [
  'topics',
  'subscriptions',
  'publishers',
  'consumers',
  'messages',
  'deliveries',
  'dead_letters',
  'schema_migrations',
];

// The grant matrix takes a service database; the broker's has no single runtime role, so all
// its client roles are presented as one runtime role and the rest as further roles: the matrix
// checks each listed role against its declaration in the same way.
const matrixSubject: ServiceDatabase = {
  service: 'tracking-ingestion',
  database: messagingDatabase.database,
  schema: messagingDatabase.schema,
  ownerRole: messagingDatabase.ownerRole,
  runtimeRole: messagingDatabase.clientRoles[0] ?? '',
  readOnlyRoles: messagingDatabase.clientRoles.slice(1),
};

describe('messaging database grants', () => {
  it('holds exactly the declared privileges: EXECUTE on the broker functions, nothing more', async () => {
    const violations = await withClient(broker.adminUrl(), (client) =>
      findPrivilegeViolations(client, matrixSubject, messagingPrivileges),
    );

    expect(violations).toEqual([]);
  });

  it('grants PUBLIC nothing on the messaging database', async () => {
    const result = await queryAs(
      broker.adminUrl(),
      `SELECT privilege FROM unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS privilege
       WHERE has_database_privilege('public', current_database(), privilege)`,
    );

    expect(result.rows).toEqual([]);
  });

  describe.each(messagingDatabase.clientRoles)('as %s', (role) => {
    it.each(brokerTables)('cannot read or write the table %s', async (table) => {
      const url = broker.urlOf(role);

      await expect(queryAs(url, `SELECT * FROM messaging.${table}`)).rejects.toMatchObject(
        insufficientPrivilege,
      );
      await expect(
        queryAs(url, `INSERT INTO messaging.${table} DEFAULT VALUES`),
      ).rejects.toMatchObject(insufficientPrivilege);
    });

    it('cannot run the provisioning or internal functions', async () => {
      const url = broker.urlOf(role);
      const attempts = [
        "SELECT messaging.ensure_topic('x')",
        `SELECT messaging.set_publishers('x', ARRAY['${role}']::name[])`,
        "SELECT messaging.authorized_topic('x')",
      ];

      for (const statement of attempts) {
        await expect(queryAs(url, statement)).rejects.toMatchObject(insufficientPrivilege);
      }
    });

    it('cannot create objects in the messaging schema', async () => {
      const statement = 'CREATE TABLE messaging.grant_probe (id int)';

      await expect(queryAs(broker.urlOf(role), statement)).rejects.toMatchObject(
        insufficientPrivilege,
      );
    });
  });

  it('keeps every other role of the platform out of the messaging database', async () => {
    const outsiders = serviceDatabases.flatMap((database) => [
      database.ownerRole,
      ...database.readOnlyRoles,
    ]);

    for (const role of outsiders) {
      await expect(queryAs(outsiderUrl(role), 'SELECT 1')).rejects.toMatchObject(
        insufficientPrivilege,
      );
    }
  });
});

describe('the broker ACL', () => {
  it('refuses a publish to a topic the role may not publish to', async () => {
    const { topic } = await broker.freshTopic();
    const { transport } = await broker.open(consumerRole, topic);

    await expect(transport.publish(topic, [orderMessage('k', 1)])).rejects.toMatchObject(
      notPermitted,
    );
  });

  it('refuses a publish to a topic that does not exist, in the same way', async () => {
    const { transport } = await broker.open(producerRole, 'no.such.topic');

    await expect(transport.publish('no.such.topic', [orderMessage('k', 1)])).rejects.toMatchObject(
      notPermitted,
    );
  });

  it('refuses a subscription the role may not consume', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const { transport } = await broker.open(producerRole, topic);
    const subscribing = transport.subscribe({ topic, subscription, handler: async () => {} });

    await expect(subscribing).rejects.toMatchObject(notPermitted);
  });

  it('refuses a subscription named under the wrong topic', async () => {
    const first = await broker.freshTopic();
    const second = await broker.freshTopic();
    const { transport } = await broker.open(consumerRole, second.topic);
    const subscribing = transport.subscribe({
      topic: second.topic,
      subscription: first.subscription,
      handler: async () => {},
    });

    await expect(subscribing).rejects.toMatchObject(notPermitted);
  });

  it('refuses every consumer call on a subscription of someone else (SQLSTATE 42501)', async () => {
    const { topic, subscription } = await broker.freshTopic();
    const url = broker.urlOf(producerRole);
    const token = randomUUID();
    const calls = [
      ['SELECT messaging.open_subscription($1, $2)', [topic, subscription]],
      ['SELECT * FROM messaging.claim($1, $2, 10, 1000)', [subscription, token]],
      ['SELECT messaging.ack($1, $2, ARRAY[1]::bigint[])', [subscription, token]],
      ["SELECT messaging.retry($1, $2, 1, 10, 'e')", [subscription, token]],
      ['SELECT messaging.release($1, $2, ARRAY[1]::bigint[])', [subscription, token]],
      ['SELECT messaging.extend_leases($1, $2, ARRAY[1]::bigint[], 1000)', [subscription, token]],
      ["SELECT messaging.dead_letter($1, $2, 1, 'malformed', 'd')", [subscription, token]],
      ['SELECT messaging.lag_seconds($1)', [subscription]],
    ] as const;

    for (const [statement, values] of calls) {
      await expect(queryAs(url, statement, [...values]), statement).rejects.toMatchObject(
        insufficientPrivilege,
      );
    }
  });

  it('cannot be sidestepped by switching to a role that is allowed', async () => {
    const statement = `SET ROLE ${producerRole}`;

    await expect(queryAs(broker.urlOf(consumerRole), statement)).rejects.toMatchObject(
      insufficientPrivilege,
    );
  });
});

// The role's real password, so the refusal is about CONNECT and not authentication.
function outsiderUrl(role: string): string {
  const password = inject('footfallPostgres').passwords[role] ?? '';

  return replaceUrlCredentials(broker.adminUrl(), { user: role, password });
}
