import { defaultPubSubEmulatorHost, pubsubEmulatorAnswers } from '@footfall/local-processes';

/** The emulator Pub/Sub tests may use, or the plain reason they cannot run here. */
export type PubSubEmulatorAvailability =
  | { readonly host: string }
  | { readonly unavailable: string };

/**
 * Finds the Pub/Sub emulator for a test run: PUBSUB_EMULATOR_HOST (`host:port`) when set, else
 * the start script's default address. Usable when its health check (`GET /`) answers; CI starts
 * the emulator and sets the variable.
 */
export async function pubsubEmulator(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<PubSubEmulatorAvailability> {
  const host = env.PUBSUB_EMULATOR_HOST || defaultPubSubEmulatorHost;

  if (await pubsubEmulatorAnswers(host)) return { host };
  const remedy = 'run deploy/pubsub/pubsub-emulator.sh start';
  return { unavailable: `Pub/Sub emulator not reachable at ${host}; ${remedy}` };
}
