import { afterAll, beforeAll } from 'vitest';
import { createPubSubTransport } from '../../src/pubsub/index.ts';
import type { ContractHarness } from '../contract/contract-harness.ts';
import { describePublishLimitsContract } from '../contract/publish-limits-contract.ts';
import { describeTransportContract } from '../contract/transport-contract.ts';
import { envelopeId, PubSubTestEmulator, testProjectId } from './pubsub-test-emulator.ts';
import { StreamReleasingProxy } from './stream-releasing-proxy.ts';

const emulator = new PubSubTestEmulator();
// The consumer process the suite kills reaches the emulator through this proxy, which ends the
// streams the process leaves open: the emulator does not notice that itself (see the proxy).
const consumerProcessProxy = new StreamReleasingProxy(() => emulator.host);

beforeAll(() => consumerProcessProxy.listen());
afterAll(async () => {
  await consumerProcessProxy.close();
  await emulator.close();
});

const harness: ContractHarness = {
  name: 'pubsub',
  honoursBackoff: false,
  unavailable: () => emulator.unavailable(),
  createTransport: (dependencies) =>
    createPubSubTransport({
      ...dependencies,
      projectId: testProjectId,
      apiEndpoint: emulator.host,
    }),
  provision: (topic, subscriptions) => emulator.provision(topic, subscriptions),
  processEnvironment: () => ({
    MESSAGING_TRANSPORT: 'pubsub',
    PUBSUB_PROJECT_ID: testProjectId,
    PUBSUB_EMULATOR_HOST: consumerProcessProxy.host,
  }),
  readDeadLetters: async (_topic, subscription) =>
    (await emulator.readDeadLetters(subscription)).map((letter) => ({
      id: envelopeId(letter.data),
      reason: letter.attributes.reason ?? '',
    })),
};

describeTransportContract(harness);
describePublishLimitsContract(harness);
