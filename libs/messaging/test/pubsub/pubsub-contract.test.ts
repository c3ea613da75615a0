import { afterAll } from 'vitest';
import { createPubSubTransport } from '../../src/pubsub/index.ts';
import type { ContractHarness } from '../contract/contract-harness.ts';
import { describeTransportContract } from '../contract/transport-contract.ts';
import { envelopeId, PubSubTestEmulator, testProjectId } from './pubsub-test-emulator.ts';

const emulator = new PubSubTestEmulator();

afterAll(() => emulator.close());

const harness: ContractHarness = {
  name: 'pubsub',
  unavailable: () => emulator.unavailable(),
  createTransport: (dependencies) =>
    createPubSubTransport({
      ...dependencies,
      projectId: testProjectId,
      apiEndpoint: emulator.host,
    }),
  provision: (topic, subscriptions, options) =>
    emulator.provision(topic, subscriptions, {}, options?.ordered ?? true),
  processEnvironment: () => ({
    MESSAGING_TRANSPORT: 'pubsub',
    PUBSUB_PROJECT_ID: testProjectId,
    PUBSUB_EMULATOR_HOST: emulator.host,
  }),
  readDeadLetters: async (_topic, subscription) =>
    (await emulator.readDeadLetters(subscription)).map((letter) => ({
      id: envelopeId(letter.data),
      reason: letter.attributes.reason ?? '',
    })),
};

describeTransportContract(harness);
