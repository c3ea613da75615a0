// Messaging throughput and latency on the postgres and Kafka transports, each beside raw batched
// INSERTs of the same messages into an ordinary (logged) table of the same PostgreSQL database,
// measured in the same run. Throughput runs from the first publish until the subscription has
// acknowledged every message (messaging_acknowledged_total, counted once an ack was sent).
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
/**
 * The Kafka producer is idempotent, so kafkajs sends one request at a time: several publish()
 * calls in flight queue behind each other, while a larger batch pays the broker round trip once.
 */
const kafkaPlans = [
  { inFlight: 1, batchSize: publishBatch },
  { inFlight: 4, batchSize: publishBatch },
  { inFlight: 1, batchSize: 4 * publishBatch },
];
/** How long a run may take before it is reported as stuck rather than waited on forever. */
const runBoundMs = 180_000;

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
      (topic, catalogue, metrics) => postgresTransport(postgres, topic, catalogue, metrics),
      { baseline, say, plans: [{ inFlight: 1, batchSize: publishBatch }] },
    );

    const kafka = await findKafkaBrokers();
    if (kafka.brokers === undefined) {
      say(`kafka      skipped: ${kafka.reason}`);
    } else {
      const brokers = kafka.brokers.split(',');
      await benchTransport(
        'kafka',
        async (_topic, catalogue, metrics) => kafkaTransport(brokers, catalogue, metrics),
        { baseline, say, plans: kafkaPlans },
      );
    }
  } finally {
    await postgres.stop();
  }
}

type TransportFactory = (
  topic: string,
  catalogue: ContractCatalogue,
  metrics: MessagingMetrics,
) => Promise<Transport>;

interface BenchSettings {
  readonly baseline: number;
  readonly say: (line: string) => void;
  /** One throughput run per plan: publish() calls kept in flight at once, messages per call. */
  readonly plans: readonly PublishPlan[];
}

interface PublishPlan {
  readonly inFlight: number;
  readonly batchSize: number;
}

async function benchTransport(
  name: string,
  open: TransportFactory,
  settings: BenchSettings,
): Promise<void> {
  const { baseline, say } = settings;

  for (const plan of settings.plans) {
    const throughput = await measureThroughput(`${name} publish→ack`, open, plan);
    const ratio = throughput.rate / baseline;
    say(
      `${name.padEnd(10)} publish→ack, ${throughputCount} messages, ${plan.inFlight} batch(es) ` +
        `of ${plan.batchSize} in flight: ${formatRate(throughput.rate)} ` +
        `(${ratio.toFixed(2)}× the INSERT baseline; publishing alone ` +
        `${formatRate(throughput.publishRate)})`,
    );
  }

  const latency = await measurePacedLatency(`${name} latency`, open);
  say(
    `${name.padEnd(10)} publish→handler latency at ${paced.perSecond} msg/s for ${paced.seconds} s: ` +
      `p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (${latency.count} messages)`,
  );
}

// An ordinary table beside the broker's, so the baseline pays for the WAL as the broker does
// (a TEMP table skips it, which flattered the baseline's rate and understated the ratios).
async function measureInsertBaseline(postgres: BenchPostgres): Promise<number> {
  const client = new pg.Client({ connectionString: postgres.urlOf(messagingDatabase.ownerRole) });
  await client.connect();
  await client.query('CREATE TABLE messaging.bench_insert_baseline (id uuid, body jsonb)');
  const body = JSON.stringify(benchMessage('k', 0));

  try {
    const startedAt = performance.now();
    for (let sent = 0; sent < throughputCount; sent += publishBatch) {
      await client.query(
        'INSERT INTO messaging.bench_insert_baseline ' +
          'SELECT gen_random_uuid(), b FROM unnest($1::jsonb[]) AS t(b)',
        [Array.from({ length: publishBatch }, () => body)],
      );
    }
    return throughputCount / ((performance.now() - startedAt) / 1000);
  } finally {
    await client.query('DROP TABLE messaging.bench_insert_baseline');
    await client.end();
  }
}

async function measureThroughput(run: string, open: TransportFactory, plan: PublishPlan) {
  const counting = await subscribeCounting(open, throughputCount);
  const { transport, topic } = counting;

  const startedAt = performance.now();
  let next = 0;
  const publisher = async () => {
    while (next < throughputCount) {
      const offset = next;
      next += plan.batchSize;
      await transport.publish(
        topic,
        batch(offset, Math.min(plan.batchSize, throughputCount - offset)),
      );
    }
  };
  await Promise.all(Array.from({ length: plan.inFlight }, publisher));
  const publishedAfter = (performance.now() - startedAt) / 1000;
  await counting.acknowledged(run);
  const seconds = (performance.now() - startedAt) / 1000;

  await transport.close();
  return { rate: throughputCount / seconds, publishRate: throughputCount / publishedAfter };
}

async function measurePacedLatency(run: string, open: TransportFactory) {
  const total = paced.perSecond * paced.seconds;
  const perTick = (paced.perSecond * paced.tick) / 1000;
  const counting = await subscribeCounting(open, total);
  const { transport, topic, latencies } = counting;

  const startedAt = performance.now();
  for (let sent = 0; sent < total; sent += perTick) {
    await transport.publish(topic, batch(sent, perTick));
    const due = startedAt + ((sent + perTick) / paced.perSecond) * 1000;
    await sleep(Math.max(0, due - performance.now()));
  }
  await counting.acknowledged(run);

  await transport.close();
  return summarise(latencies);
}

async function subscribeCounting(open: TransportFactory, expected: number) {
  const topic = `bench.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const metrics = new MessagingMetrics(new Registry());
  const transport = await open(topic, benchCatalogue(topic), metrics);
  const latencies: number[] = [];
  const subscription = `${topic}.sub`;

  await transport.subscribe({
    topic,
    subscription,
    concurrency: 16,
    handler: async (message) => {
      const { sentAt } = message.envelope.payload as { sentAt: number };
      latencies.push(performance.timeOrigin + performance.now() - sentAt);
    },
  });

  const acknowledged = async () =>
    (await metrics.acknowledged.get()).values.reduce((sum, sample) => sum + sample.value, 0);
  return {
    transport,
    topic,
    latencies,
    acknowledged: (run: string) => untilAcknowledged(run, expected, acknowledged, latencies),
  };
}

// Polls the transport's own count: acknowledgements are counted once they were sent.
async function untilAcknowledged(
  run: string,
  expected: number,
  acknowledged: () => Promise<number>,
  handled: readonly unknown[],
): Promise<void> {
  const deadline = performance.now() + runBoundMs;

  while ((await acknowledged()) < expected) {
    if (performance.now() > deadline) {
      const state = `${handled.length} handled, ${await acknowledged()} acknowledged`;
      throw new Error(`${run}: not done after ${runBoundMs / 1000} s: ${state} of ${expected}`);
    }
    await sleep(5);
  }
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
  metrics: MessagingMetrics,
) {
  await provisionPostgresTopology(postgres.urlOf(messagingDatabase.ownerRole), [
    { topic, publishers: [role], subscriptions: [{ name: `${topic}.sub`, consumers: [role] }] },
  ]);

  return createPostgresTransport({ connectionString: postgres.urlOf(role), metrics, catalogue });
}

function kafkaTransport(
  brokers: string[],
  catalogue: ContractCatalogue,
  metrics: MessagingMetrics,
) {
  return createKafkaTransport({
    brokers,
    clientId: 'footfall-bench',
    createTopics: true,
    metrics,
    catalogue,
  });
}
