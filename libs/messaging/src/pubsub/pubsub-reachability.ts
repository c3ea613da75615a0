import type { CallOptions, PubSub } from '@google-cloud/pubsub';
import { grpcCodes, grpcStatus } from './grpc-status.ts';

/** The service answered; it only refused the request. */
const answeredCodes: ReadonlySet<number | undefined> = new Set([
  grpcCodes.notFound,
  grpcCodes.permissionDenied,
]);

/**
 * Asks Pub/Sub for one topic of the project: a cheap call that proves the service (or the
 * emulator) answers these credentials. A service account without the right to list topics gets
 * PERMISSION_DENIED, which proves as much, so least-privilege accounts pass too.
 */
export async function probePubSub(pubsub: PubSub, gaxOpts: CallOptions): Promise<void> {
  try {
    await pubsub.getTopics({ pageSize: 1, autoPaginate: false, gaxOpts });
  } catch (error) {
    if (!answeredCodes.has(grpcStatus(error))) throw error;
  }
}
