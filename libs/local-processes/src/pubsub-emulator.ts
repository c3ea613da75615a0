import {
  type BrokerStartOptions,
  type StartedBroker,
  startThroughScript,
} from './started-broker.ts';

/** Where deploy/pubsub/pubsub-emulator.sh starts the emulator unless told otherwise. */
export const defaultPubSubEmulatorHost = '127.0.0.1:18085';

const healthCheckTimeoutMs = 1_000;

export interface PubSubEmulatorStart extends BrokerStartOptions {
  /** `host:port` of the emulator. @default 127.0.0.1:18085 */
  readonly host?: string;
}

/**
 * Makes sure a Pub/Sub emulator answers at `host`. One that already answers is used and never
 * stopped; otherwise deploy/pubsub/pubsub-emulator.sh starts one there, its pid file and log in
 * `directory` (by default a fresh temporary one), and stop() stops that emulator.
 */
export function startPubSubEmulator(options: PubSubEmulatorStart): Promise<StartedBroker> {
  const script = {
    path: 'deploy/pubsub/pubsub-emulator.sh',
    arguments: ['pubsub'],
    settings: (port: number, directory: string) => ({
      PUBSUB_EMULATOR_PORT: String(port),
      FOOTFALL_EMULATOR_DIR: directory,
    }),
  };

  const host = options.host ?? defaultPubSubEmulatorHost;
  return startThroughScript(host, script, pubsubEmulatorAnswers, options);
}

/** Whether the emulator's health check (`GET /`) answers at `host` within a second. */
export async function pubsubEmulatorAnswers(host: string): Promise<boolean> {
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
