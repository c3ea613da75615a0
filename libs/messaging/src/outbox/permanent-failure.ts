import { MessagingError, type MessagingErrorCode } from '../messaging-error.ts';

/**
 * Refusals that publishing the same row again cannot change: the row itself is wrong (too
 * large, a contract this build no longer has) or this service may not publish to its topic.
 * Anything else (a broker that is down, a timeout, a closing transport) may pass next time.
 */
const permanentCodes: ReadonlySet<MessagingErrorCode> = new Set([
  'MESSAGING_MESSAGE_TOO_LARGE',
  'MESSAGING_UNKNOWN_CONTRACT',
  'MESSAGING_WRONG_TOPIC',
  'MESSAGING_INVALID_PAYLOAD',
  'MESSAGING_INVALID_ENVELOPE',
  'MESSAGING_INVALID_ATTRIBUTES',
  'MESSAGING_NOT_PERMITTED',
]);

export function isPermanentFailure(error: unknown): boolean {
  return error instanceof MessagingError && permanentCodes.has(error.code);
}
