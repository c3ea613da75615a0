import { randomBytes } from 'node:crypto';
import {
  bootstrapDatabases,
  listRoles,
  replaceUrlCredentials,
  replaceUrlDatabase,
} from '@footfall/db';
import pg from 'pg';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../../testing/src/embedded-postgres-server.ts';
import { MessagingMetrics } from '../src/index.ts';
import {
  createPostgresTransport,
  migrateMessagingDatabase,
  provisionPostgresTopology,
} from '../src/postgres/index.ts';

const server = await startEmbeddedPostgres();
try {
  const passwords = Object.fromEntries(
    listRoles().map((r) => [r, randomBytes(24).toString('base64url')]),
  );
  await bootstrapDatabases({ adminUrl: server.adminUrl, passwords });
  const url = (role: string) =>
    replaceUrlCredentials(replaceUrlDatabase(server.adminUrl, 'footfall_messaging'), {
      user: role,
      password: passwords[role] ?? '',
    });
  await migrateMessagingDatabase(url('footfall_messaging_owner'));
  const topic = 'bench';
  await provisionPostgresTopology(url('footfall_messaging_owner'), [
    {
      topic,
      publishers: ['footfall_ingestion_app'],
      subscriptions: [{ name: 'bench.sub', consumers: ['footfall_computation_app'] }],
    },
  ]);
  const catalogue = [
    {
      topic,
      type: 'bench.event',
      version: 1,
      payload: z.object({ n: z.number(), pad: z.string() }),
    },
  ];
  const producer = await createPostgresTransport({
    metrics: new MessagingMetrics(new Registry()),
    catalogue,
    connectionString: url('footfall_ingestion_app'),
  });
  for (let i = 0; i < 60000; i += 500)
    await producer.publish(
      topic,
      Array.from({ length: 500 }, (_, j) => ({
        type: 'bench.event',
        version: 1,
        key: `store-${(i + j) % 50}`,
        payload: { n: i + j, pad: 'x' },
      })),
    );
  const consumer = await createPostgresTransport({
    metrics: new MessagingMetrics(new Registry()),
    catalogue,
    connectionString: url('footfall_computation_app'),
    batchSize: Number(process.env.BATCH ?? 100),
  });
  let handled = 0;
  const t = performance.now();
  await consumer.subscribe({
    topic,
    subscription: 'bench.sub',
    concurrency: Number(process.env.CONC ?? 1),
    handler: async () => {
      handled++;
    },
  });
  let last = 0;
  while (handled < 60000) {
    await new Promise((r) => setTimeout(r, 1000));
    console.log('per s', handled - last);
    last = handled;
  }
  console.log('consumed 60000 in ms', Math.round(performance.now() - t));
  await consumer.close();
  await producer.close();
} finally {
  await server.stop();
}
