import { queryAs } from '@footfall/testing';
import { describe, expect, it } from 'vitest';
import { consumerRole, producerRole, usePostgresBroker } from './postgres-broker.ts';

const broker = usePostgresBroker();

async function readAcl(topic: string) {
  const result = await queryAs(
    broker.adminUrl(),
    `SELECT 'publish' AS kind, t.name AS target, p.role::text AS role
     FROM messaging.publishers p JOIN messaging.topics t ON t.id = p.topic_id WHERE t.name = $1
     UNION ALL
     SELECT 'consume', s.name, c.role::text
     FROM messaging.consumers c JOIN messaging.subscriptions s ON s.id = c.subscription_id
     JOIN messaging.topics t ON t.id = s.topic_id WHERE t.name = $1
     ORDER BY 1, 2, 3`,
    [topic],
  );

  return result.rows;
}

describe('provisionPostgresTopology', () => {
  it('creates topics, subscriptions and their ACL, and changes nothing when run again', async () => {
    const topology = {
      topic: 'provision.one',
      publishers: [producerRole],
      subscriptions: [{ name: 'provision.one.reader', consumers: [consumerRole], maxAttempts: 3 }],
    };

    await broker.provision(topology);
    await broker.provision(topology);

    expect(await readAcl('provision.one')).toEqual([
      { kind: 'consume', target: 'provision.one.reader', role: consumerRole },
      { kind: 'publish', target: 'provision.one', role: producerRole },
    ]);
    const attempts = await queryAs(
      broker.adminUrl(),
      "SELECT max_attempts FROM messaging.subscriptions WHERE name = 'provision.one.reader'",
    );
    expect(attempts.rows).toEqual([{ max_attempts: 3 }]);
  });

  it('takes a right away from a role the topology no longer lists', async () => {
    const subscription = { name: 'provision.two.reader', consumers: [consumerRole, producerRole] };
    await broker.provision({
      topic: 'provision.two',
      publishers: [producerRole, consumerRole],
      subscriptions: [subscription],
    });

    await broker.provision({
      topic: 'provision.two',
      publishers: [producerRole],
      subscriptions: [{ ...subscription, consumers: [consumerRole] }],
    });

    expect(await readAcl('provision.two')).toEqual([
      { kind: 'consume', target: 'provision.two.reader', role: consumerRole },
      { kind: 'publish', target: 'provision.two', role: producerRole },
    ]);
  });

  it('refuses a role that does not exist, and applies nothing (SQLSTATE 42704)', async () => {
    const provisioning = broker.provision({
      topic: 'provision.three',
      publishers: ['footfall_nobody_app'],
      subscriptions: [],
    });

    await expect(provisioning).rejects.toMatchObject({ code: '42704' });
    const topics = await queryAs(
      broker.adminUrl(),
      "SELECT 1 FROM messaging.topics WHERE name = 'provision.three'",
    );
    expect(topics.rowCount).toBe(0);
  });

  it('refuses to move a subscription to another topic (SQLSTATE 42710)', async () => {
    const subscriptions = [{ name: 'provision.moved', consumers: [consumerRole] }];
    await broker.provision({ topic: 'provision.four', publishers: [], subscriptions });

    const moving = broker.provision({ topic: 'provision.five', publishers: [], subscriptions });

    await expect(moving).rejects.toMatchObject({ code: '42710' });
  });
});
