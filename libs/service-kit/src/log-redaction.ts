import { stdSerializers } from 'pino';
import { scrubMacAddresses, scrubUrlCredentials } from './text-scrubbing.ts';

const redactionCensor = '[redacted]';

/**
 * Keys whose values never reach a log line, matched in any case and with `-` and `_` ignored
 * (`X-Api-Key`, `currentPassword`, `code_verifier`): credentials, CSRF tokens, and device
 * identifiers (MAC addresses are personal data).
 */
const sensitiveKey = new RegExp(
  [
    'pass(word|wd|phrase)|secret|token|authori[sz]ation|cookie|[cx]srf|verifier|credential',
    'confirmation|sessionid|deviceid|macaddress|imei|idfa',
    '(api|private|signing|access|encryption|session|master|hmac)keys?$',
    '^(pass|pwd|keys?|macs?|sid)$',
    'mac$',
  ].join('|'),
);

// Log lines repeat the same few keys; remembering the verdicts keeps the hot path cheap.
const verdicts = new Map<string, boolean>();
const maxRememberedKeys = 10_000;

/** Objects nested deeper than this are cut: a cycle or a huge graph should not stall logging. */
const maxDepth = 12;

function isSensitiveKey(key: string): boolean {
  const known = verdicts.get(key);
  if (known !== undefined) {
    return known;
  }

  const verdict = sensitiveKey.test(key.toLowerCase().replace(/[-_]/g, ''));
  if (verdicts.size < maxRememberedKeys) {
    verdicts.set(key, verdict);
  }

  return verdict;
}

/**
 * Censors sensitive keys at any depth and scrubs credentials and MAC addresses out of strings.
 * Copies only what changes, so a line with nothing to hide costs a walk and no allocation
 * (errors excepted: they are always serialised).
 */
export function redactLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return scrubMacAddresses(scrubUrlCredentials(value));
  }

  if (value === null || typeof value !== 'object') {
    return value;
  }

  if (depth >= maxDepth) {
    return '[too deep]';
  }

  if (Array.isArray(value)) {
    return redactArray(value, depth);
  }

  // An Error's message and stack are not own enumerable fields: serialise it as pino would
  // (type, message and stack with their causes, then its fields), then redact that.
  if (value instanceof Error) {
    return redactFields({ ...stdSerializers.err(value) }, depth);
  }

  return isSerialisedAsFields(value) ? redactFields(value, depth) : redactOpaque(value);
}

function redactArray(items: readonly unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;

  for (const [index, item] of items.entries()) {
    const redacted = redactLogValue(item, depth + 1);
    if (redacted !== item) {
      copy ??= [...items];
      copy[index] = redacted;
    }
  }

  return copy ?? (items as unknown[]);
}

function redactFields(record: object, depth: number): object {
  let copy: Record<string, unknown> | undefined;

  for (const [key, field] of Object.entries(record)) {
    const redacted = isSensitiveKey(key) ? censor(field) : redactLogValue(field, depth + 1);
    if (redacted !== field) {
      copy ??= { ...record };
      copy[key] = redacted;
    }
  }

  return copy ?? record;
}

function censor(field: unknown): unknown {
  return field === undefined || field === null ? field : redactionCensor;
}

/** JSON writes an object's own fields unless it has toJSON (Date, Buffer, URL) or is binary. */
function isSerialisedAsFields(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON !== 'function' && !ArrayBuffer.isView(value);
}

// A URL serialises as its href, credentials included.
function redactOpaque(value: object): unknown {
  return value instanceof URL ? scrubUrlCredentials(value.href) : value;
}
