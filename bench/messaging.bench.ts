// Messaging throughput and latency on the postgres and Kafka transports, each beside raw batched
// INSERTs of the same messages into the same PostgreSQL, measured in the same run.
import { setTimeout as sleep } from 'node:timers/promises';
import { messagingDatabase } from '@footfall/db';
import {
  type ContractCatalogue,
  createKafkaTransport,
  createPostgresTransport,
  MessagingMetrics,
  migrateMessagingDatabase,
  type OutgoingMessage,
  provisionPostgresTopology,
  type Transport,
} from '@footfall/messaging';
import { findKafkaBrokers } from '@footfall/testing';
import pg from 'pg';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { type BenchPostgres, startBenchPostgres } from './bench-postgres.ts';
import { formatRate, summarise } from './latency-stats.ts';

const role = 'footfall_computation_app';
const throughputCount = 20_000;
const publishBatch = 500;
const paced = { perSecond: 1_000, seconds: 10, tick: 50 };

/** A ~1 KB envelope: the payload carries its send time and padding. */
const padding = 'x'.repeat(820);

export async function runMessagingBench(say: (line: string) => void): Promise<void> {
  const postgres = await startBenchPostgres();

  try {
    await migrateMessagingDatabase(postgres.urlOf(messagingDatabase.ownerRole));
    const baseline = await measureInsertBaseline(postgres);
    say(
      `baseline   raw batched INSERT, 1 KB rows, batches of ${publishBatch}: ${formatRate(baseline)}`,
    );

    await benchTransport(
      'postgres',
      (topic, catalogue) => postgresTransport(postgres, topic, catalogue),
      baseline,
      say,
    );

    const kafka = await findKafkaBrokers();
    if (kafka.brokers === undefined) {
      say(`kafka      skipped: ${kafka.reason}`);
    } else {
      const brokers = kafka.brokers.split(',');
      await benchTransport(
        'kafka',
        async (_topic, catalogue) => kafkaTransport(brokers, catalogue),
        baseline,
        say,
      );
    }
  } finally {
    await postgres.stop();
  }
}

type TransportFactory = (topic: string, catalogue: ContractCatalogue) => Promise<Transport>;

async function benchTransport(
  name: string,
  open: TransportFactory,
  baseline: number,
  say: (line: string) => void,
): Promise<void> {
  const throughput = await measureThroughput(open);
  const ratio = throughput.rate / baseline;
  say(
    `${name.padEnd(10)} publish→ack, ${throughputCount} messages: ${formatRate(throughput.rate)} ` +
      `(${ratio.toFixed(2)}× the INSERT baseline)`,
  );

  const latency = await measurePacedLatency(open);
  say(
    `${name.padEnd(10)} end-to-end latency at ${paced.perSecond} msg/s for ${paced.seconds} s: ` +
      `p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (${latency.count} messages)`,
  );
}

async function measureInsertBaseline(postgres: BenchPostgres): Promise<number> {
  const client = new pg.Client({ connectionString: postgres.urlOf(messagingDatabase.ownerRole) });
  await client.connect();
  await client.query('CREATE TEMP TABLE insert_baseline (id uuid, body jsonb)');
  const body = JSON.stringify(benchMessage('k', 0));

  const startedAt = performance.now();
  for (let sent = 0; sent < throughputCount; sent += publishBatch) {
    await client.query(
      'INSERT INTO insert_baseline SELECT gen_random_uuid(), b FROM unnest($1::jsonb[]) AS t(b)',
      [Array.from({ length: publishBatch }, () => body)],
    );
  }
  const seconds = (performance.now() - startedAt) / 1000;

  await client.end();
  return throughputCount / seconds;
}

async function measureThroughput(open: TransportFactory) {
  const { transport, topic, done } = await subscribeCounting(open, throughputCount);

  const startedAt = performance.now();
  for (let sent = 0; sent < throughputCount; sent += publishBatch) {
    await transport.publish(topic, batch(sent, publishBatch));
  }
  await done;
  const seconds = (performance.now() - startedAt) / 1000;

  await transport.close();
  return { rate: throughputCount / seconds };
}

async function measurePacedLatency(open: TransportFactory) {
  const total = paced.perSecond * paced.seconds;
  const perTick = (paced.perSecond * paced.tick) / 1000;
  const { transport, topic, done, latencies } = await subscribeCounting(open, total);

  const startedAt = performance.now();
  for (let sent = 0; sent < total; sent += perTick) {
    await transport.publish(topic, batch(sent, perTick));
    const due = startedAt + ((sent + perTick) / paced.perSecond) * 1000;
    await sleep(Math.max(0, due - performance.now()));
  }
  await done;

  await transport.close();
  return summarise(latencies);
}

async function subscribeCounting(open: TransportFactory, expected: number) {
  const topic = `bench.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const transport = await open(topic, benchCatalogue(topic));
  const latencies: number[] = [];
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  await transport.subscribe({
    topic,
    subscription: `${topic}.sub`,
    concurrency: 16,
    handler: async (message) => {
      const { sentAt } = message.envelope.payload as { sentAt: number };
      latencies.push(performance.timeOrigin + performance.now() - sentAt);
      if (latencies.length === expected) resolveDone();
    },
  });

  return { transport, topic, done, latencies };
}

function batch(offset: number, size: number): OutgoingMessage[] {
  return Array.from({ length: size }, (_, index) =>
    benchMessage(`store-${(offset + index) % 64}`, offset + index),
  );
}

function benchMessage(key: string, sequence: number): OutgoingMessage {
  return {
    type: 'bench.sample.recorded',
    version: 1,
    key,
    payload: { sequence, sentAt: performance.timeOrigin + performance.now(), padding },
  };
}

function benchCatalogue(topic: string): ContractCatalogue {
  const payload = z.object({ sequence: z.number(), sentAt: z.number(), padding: z.string() });
  return [{ topic, type: 'bench.sample.recorded', version: 1, payload }];
}

async function postgresTransport(
  postgres: BenchPostgres,
  topic: string,
  catalogue: ContractCatalogue,
) {
  await provisionPostgresTopology(postgres.urlOf(messagingDatabase.ownerRole), [
    { topic, publishers: [role], subscriptions: [{ name: `${topic}.sub`, consumers: [role] }] },
  ]);

  return createPostgresTransport({
    connectionString: postgres.urlOf(role),
    metrics: new MessagingMetrics(new Registry()),
    catalogue,
  });
}

function kafkaTransport(brokers: string[], catalogue: ContractCatalogue) {
  return createKafkaTransport({
    brokers,
    clientId: 'footfall-bench',
    createTopics: true,
    metrics: new MessagingMetrics(new Registry()),
    catalogue,
  });
}
