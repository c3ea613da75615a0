/** Codes of failures a producer can meet; docs/messaging.md lists them. */
export const messagingErrorMessages = {
  MESSAGING_MESSAGE_TOO_LARGE:
    'Message {id} is {size} bytes with its attributes; the limit is {limit} bytes.',
  MESSAGING_UNKNOWN_CONTRACT: 'No contract for message type {type} version {version}.',
  MESSAGING_WRONG_TOPIC: 'Message type {type} belongs on topic {expected}, not {topic}.',
  MESSAGING_INVALID_PAYLOAD:
    'The payload of {type} v{version} does not match its contract: {problems}',
  MESSAGING_INVALID_ENVELOPE: 'The envelope of {type} v{version} would be refused: {problems}',
  MESSAGING_INVALID_ATTRIBUTES: 'The attributes of {type} v{version} are refused: {problems}',
  MESSAGING_CLOSED: 'The {transport} transport is closed.',
  MESSAGING_NOT_PERMITTED: 'This service may not {action} {target}.',
  MESSAGING_SUBSCRIPTION_NOT_FOUND: 'Subscription {subscription} of topic {topic} does not exist.',
  MESSAGING_CONNECTION_FAILED: 'The {transport} transport could not connect to {target}.',
  MESSAGING_PUBLISH_TIMEOUT: 'Publishing to {topic} did not finish within {timeoutMs} ms.',
} as const;

export type MessagingErrorCode = keyof typeof messagingErrorMessages;

export interface MessagingErrorOptions {
  readonly cause?: unknown;
  /** The id of the one message refused, when it had one. */
  readonly messageId?: string | undefined;
}

export class MessagingError extends Error {
  readonly code: MessagingErrorCode;
  /**
   * Which message of a publish was refused, for a refusal of one message (its contract, payload,
   * envelope, attributes or size) that had an id; undefined otherwise.
   */
  readonly messageId: string | undefined;

  constructor(
    code: MessagingErrorCode,
    params: Readonly<Record<string, string | number>>,
    options: MessagingErrorOptions = {},
  ) {
    const template: string = messagingErrorMessages[code];
    super(
      template.replace(/\{(\w+)\}/g, (match, name: string) => String(params[name] ?? match)),
      options,
    );
    this.name = 'MessagingError';
    this.code = code;
    this.messageId = options.messageId;
  }
}

/** A broker's refusal to let this service publish to `topic`, whichever transport met it. */
export function publishNotPermitted(topic: string, cause: unknown): MessagingError {
  const refusal = { action: 'publish to', target: `topic ${topic}` };

  return new MessagingError('MESSAGING_NOT_PERMITTED', refusal, { cause });
}
