import { randomBytes } from 'node:crypto';
import {
  bootstrapDatabases,
  listRoles,
  replaceUrlCredentials,
  replaceUrlDatabase,
} from '@footfall/db';
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
console.log('started');
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
  if (process.env.ALTER) {
    const { default: pg } = await import('pg');
    const o = new pg.Client({ connectionString: url('footfall_messaging_owner') });
    await o.connect();
    await o.query(process.env.ALTER);
    await o.end();
  }
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
  const deps = () => ({ metrics: new MessagingMetrics(new Registry()), catalogue });
  const producer = await createPostgresTransport({
    ...deps(),
    connectionString: url('footfall_ingestion_app'),
  });
  const consumer = await createPostgresTransport({
    ...deps(),
    connectionString: url('footfall_computation_app'),
    batchSize: Number(process.env.BATCH ?? 100),
  });
  const pad = 'x'.repeat(Number(process.env.PAD ?? 500));
  const publishedAt = new Map<number, number>();
  const latencies: number[] = [];
  let handled = 0;
  await consumer.subscribe({
    topic,
    subscription: 'bench.sub',
    concurrency: Number(process.env.CONC ?? 1),
    handler: async (m) => {
      const n = (m.envelope.payload as { n: number }).n;
      latencies.push(performance.now() - (publishedAt.get(n) ?? 0));
      handled++;
    },
  });

  // 1) burst: publish N in batches of 100 as fast as possible, measure publish-to-handled
  console.log('ready');
  const total = Number(process.env.TOTAL ?? 50000);
  const start = performance.now();
  const keys = Number(process.env.KEYS ?? 50);
  for (let i = 0; i < total; i += 100) {
    const batch = Array.from({ length: 100 }, (_, j) => {
      const n = i + j;
      publishedAt.set(n, performance.now());
      return { type: 'bench.event', version: 1, key: `store-${n % keys}`, payload: { n, pad } };
    });
    await producer.publish(topic, batch);
  }
  const published = performance.now();
  console.log('published', Math.round(published - start));
  while (handled < total) {
    await new Promise((r) => setTimeout(r, 1000));
    console.log('handled', handled);
  }
  const done = performance.now();
  console.log(
    JSON.stringify({
      phase: 'burst',
      total,
      publishPerSec: Math.round(total / ((published - start) / 1000)),
      endToEndPerSec: Math.round(total / ((done - start) / 1000)),
    }),
  );

  // 2) steady: 1000 msg/s in batches of 10 every 10ms for 15s, measure latency percentiles
  latencies.length = 0;
  handled = 0;
  const steadyTotal = Number(process.env.STEADY ?? 15000);
  const t0 = performance.now();
  let sent = 0;
  while (sent < steadyTotal) {
    const due = Math.floor(((performance.now() - t0) / 1000) * 1000);
    if (due > sent) {
      const count = Math.min(due - sent, 50);
      const batch = Array.from({ length: count }, (_, j) => {
        const n = total + sent + j;
        publishedAt.set(n, performance.now());
        return { type: 'bench.event', version: 1, key: `store-${n % keys}`, payload: { n, pad } };
      });
      await producer.publish(topic, batch);
      sent += count;
    } else await new Promise((r) => setTimeout(r, 2));
  }
  while (handled < steadyTotal) await new Promise((r) => setTimeout(r, 5));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.floor(latencies.length * p)] ?? 0);
  console.log(
    JSON.stringify({
      phase: 'steady 1000/s',
      rate: Math.round(steadyTotal / ((performance.now() - t0) / 1000)),
      p50: pct(0.5),
      p95: pct(0.95),
      p99: pct(0.99),
      max: Math.round(latencies.at(-1) ?? 0),
    }),
  );
  await producer.close();
  await consumer.close();
} finally {
  await server.stop();
}
