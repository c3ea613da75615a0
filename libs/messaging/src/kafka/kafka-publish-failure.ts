import { publishNotPermitted } from '../messaging-error.ts';

/** kafkajs wraps a refusal in at most a couple of retry errors; this bounds the walk. */
const maxCauseDepth = 5;

/**
 * What a failed send becomes for the caller: the brokers' refusal to let this service write to
 * the topic (an ACL) is the coded MESSAGING_NOT_PERMITTED, as on the other transports, so the
 * outbox relay parks the rows instead of retrying them for ever; anything else is unchanged.
 */
export function kafkaPublishFailure(topic: string, error: unknown): unknown {
  if (!refusedByAcl(error)) return error;

  return publishNotPermitted(topic, error);
}

// The broker's answer arrives as it is, or as the cause of the retrier's KafkaJSNonRetriableError.
// Recognised by name and type, as kafkajs does itself: Node cannot import its error classes by
// name from ESM (kafkajs spreads them into its CommonJS exports).
function refusedByAcl(error: unknown): boolean {
  let current = error;

  for (let depth = 0; depth < maxCauseDepth && current instanceof Error; depth += 1) {
    const type: unknown = Reflect.get(current, 'type');
    if (current.name === 'KafkaJSProtocolError' && type === 'TOPIC_AUTHORIZATION_FAILED') {
      return true;
    }
    current = current.cause;
  }

  return false;
}
