import { MessagingError } from './messaging-error.ts';
import type { TransportName } from './transport.ts';

export interface FirstContact {
  readonly transport: TransportName;
  /** Where the transport connects, as an operator names it; never with a password in it. */
  readonly target: string;
  /** The first request the broker must answer. */
  readonly contact: () => Promise<unknown>;
  /** Releases what was opened for it when it fails. */
  readonly cleanUp?: () => Promise<unknown>;
}

/**
 * A transport's first contact with its broker, made while it is created so a wrong address or
 * credentials fail at start-up: a failure becomes MESSAGING_CONNECTION_FAILED, naming the target,
 * with the client's error as the cause.
 */
export async function makeFirstContact(first: FirstContact): Promise<void> {
  try {
    await first.contact();
  } catch (error) {
    await first.cleanUp?.();
    const params = { transport: first.transport, target: first.target };
    throw new MessagingError('MESSAGING_CONNECTION_FAILED', params, { cause: error });
  }
}
