import type { EventEmitter } from 'node:events';

/**
 * Detaches a consumer from the client subscription it closed, but leaves one `error` listener:
 * the client can still emit a late stream error, and an emitter with no `error` listener throws
 * it, which would crash the process.
 */
export function detachClosedSubscription(
  subscription: EventEmitter,
  onLateError: (error: Error) => void,
): void {
  subscription.removeAllListeners();
  subscription.on('error', onLateError);
}
