import { createPostgresTransport } from '../../src/postgres/index.ts';
import type { ContractHarness } from '../contract/contract-harness.ts';
import { describePublishLimitsContract } from '../contract/publish-limits-contract.ts';
import { describeTransportContract } from '../contract/transport-contract.ts';
import { consumerRole, usePostgresBroker } from './postgres-broker.ts';

// Short, so the killed consumer's leases run out well within the suite's bounds.
const visibilityTimeoutMs = 3_000;
const broker = usePostgresBroker();

// The contract suite publishes and consumes through one transport, so one service role does
// both here; the ACL tests keep producers and consumers apart.
const harness: ContractHarness = {
  name: 'postgres',
  honoursBackoff: true,
  // The test run always has its PostgreSQL (embedded, or TEST_DATABASE_URL).
  unavailable: async () => undefined,
  createTransport: (dependencies) =>
    createPostgresTransport({
      ...dependencies,
      connectionString: broker.urlOf(consumerRole),
      pollIntervalMs: 200,
      visibilityTimeoutMs,
    }),
  provision: (topic, subscriptions) =>
    broker.provision({
      topic,
      publishers: [consumerRole],
      subscriptions: subscriptions.map((name) => ({ name, consumers: [consumerRole] })),
    }),
  processEnvironment: () => ({
    MESSAGING_TRANSPORT: 'postgres',
    MESSAGING_DATABASE_URL: broker.urlOf(consumerRole),
    MESSAGING_CONSUMER_TIMEOUT_MS: String(visibilityTimeoutMs),
  }),
  readDeadLetters: async (_topic, subscription) =>
    (await broker.readDeadLetters(subscription)).map((letter) => ({
      id: letter.envelopeId,
      reason: letter.reason,
    })),
};

describeTransportContract(harness);
describePublishLimitsContract(harness);
