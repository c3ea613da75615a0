import { type StartedBroker, startThroughScript } from './started-broker.ts';

/** Where deploy/pubsub/pubsub-emulator.sh starts the emulator unless told otherwise. */
export const defaultPubSubEmulatorHost = '127.0.0.1:18085';

const healthCheckTimeoutMs = 1_000;

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

  if (await answers(host)) return { host };
  const remedy = 'run deploy/pubsub/pubsub-emulator.sh start';
  return { unavailable: `Pub/Sub emulator not reachable at ${host}; ${remedy}` };
}

export interface PubSubEmulatorStart {
  /** `host:port` of the emulator. @default 127.0.0.1:18085 */
  readonly host?: string;
  /** What the start script runs with: PATH (java), CLOUD_SDK_ROOT when not the default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Makes sure a Pub/Sub emulator answers at `host`. One that already answers is used and never
 * stopped; otherwise deploy/pubsub/pubsub-emulator.sh starts one there, its pid file and log in
 * a fresh temporary directory, and stop() stops that emulator and deletes the directory.
 */
export function startPubSubEmulator(options: PubSubEmulatorStart = {}): Promise<StartedBroker> {
  const script = {
    path: 'deploy/pubsub/pubsub-emulator.sh',
    arguments: ['pubsub'],
    settings: (port: number, directory: string) => ({
      PUBSUB_EMULATOR_PORT: String(port),
      FOOTFALL_EMULATOR_DIR: directory,
    }),
  };

  const host = options.host ?? defaultPubSubEmulatorHost;
  return startThroughScript(host, script, answers, options.env ?? process.env);
}

async function answers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/`, {
      signal: AbortSignal.timeout(healthCheckTimeoutMs),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
