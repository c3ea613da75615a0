import { publishNotPermitted } from '../messaging-error.ts';
import { grpcCodes, grpcStatus } from './grpc-status.ts';

/**
 * What a failed publish becomes for the caller: Pub/Sub's PERMISSION_DENIED (IAM does not let
 * this service publish to the topic) is the coded MESSAGING_NOT_PERMITTED, as on the other
 * transports, so the outbox relay parks the rows instead of retrying them for ever; anything
 * else is unchanged.
 */
export function pubsubPublishFailure(topic: string, error: unknown): unknown {
  if (grpcStatus(error) !== grpcCodes.permissionDenied) return error;

  return publishNotPermitted(topic, error);
}
